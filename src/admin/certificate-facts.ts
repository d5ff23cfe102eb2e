import type { Executor } from '../db';

/**
 * What the certificate behind a listing in review certifies (issue 18 item 7: a "JR-TM300P 加强型" listing passed under
 * JR-TM300's certificate): the certified product's name, the certified model where the registry knows it (the
 * certification application that produced the certificate), and the models already listed under it. The reviewer
 * sees them beside the listing's own; a name or model that differs is pointed out.
 */
export interface CertificateFacts {
  certNo: string;
  productName: string;
  enterpriseName: string;
  model: string | null;
  otherModels: string[];
  nameDiffers: boolean;
  modelDiffers: boolean;
}

const norm = (s: string) => s.replace(/[\s\-_（）()·.]/g, '').toUpperCase();

export async function certificateFacts(db: Executor, listing: { id: number; certNo: string | null; title: string; model: string }): Promise<CertificateFacts | null> {
  if (!listing.certNo) return null;
  const cert: { id: number; cert_no: string; product_name: string; enterprise_name: string } | undefined = await db('certifications').where({ cert_no: listing.certNo }).first('id', 'cert_no', 'product_name', 'enterprise_name');
  if (!cert) return null;
  const [app, others] = await Promise.all([
    db('cert_applications').where({ cert_id: cert.id }).first('model') as Promise<{ model: string } | undefined>,
    db('products').where({ cert_id: cert.id, status: 'approved' }).whereNot('id', listing.id).distinct('model').orderBy('model').limit(20) as Promise<Array<{ model: string }>>,
  ]);
  const model = app?.model ?? null;
  const known = [model, ...others.map((o) => o.model)].filter((m): m is string => !!m).map(norm);
  return {
    certNo: cert.cert_no,
    productName: cert.product_name,
    enterpriseName: cert.enterprise_name,
    model,
    otherModels: others.map((o) => o.model),
    nameDiffers: !norm(listing.title).includes(norm(cert.product_name)),
    modelDiffers: known.length > 0 && !known.includes(norm(listing.model)),
  };
}
