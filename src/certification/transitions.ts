import { ReasonInput } from '../schema';
import { decide, stepNamed, type Step, type Verdict, type Workflow } from '../workflow';

/**
 * The life of a certificate in the registry, one table of steps (docs/adding-a-workflow-step.md). A certificate is
 * entered `valid` (or `expired`, when its end date has already passed); the service takes every later change of its
 * status through this table (`moveCert`) and leaves a history row for it.
 *
 * Only `revoke` has a route of its own (`POST /api/v1/admin/certifications/:id/revoke` and the page's), derived by the
 * registrar from `CERT_DESK`. `expire` and `renew` are what the registry does when an end date passes (the batch
 * `POST …/expire`) or an edit or an import moves it (`PATCH …/:id`, `POST …/import`): those routes keep their paths
 * and run the same steps.
 */

export const CERT_STATUSES = ['valid', 'expired', 'revoked'] as const;
export type CertStatus = (typeof CERT_STATUSES)[number];

export interface CertStepExtras {
  /** The step has its route (`POST {apiPrefix}/:id/{name}` and the page's); the others are the service's own. */
  routed: boolean;
  /** The step's own 409 message when it does not lead from the status (otherwise the table's, per status). */
  wrongState?: string;
}

export type CertStep = Step<CertStatus, unknown> & CertStepExtras;
export type CertStepName = 'revoke' | 'expire' | 'renew';

export const CERT_WORKFLOW: Workflow<CertStatus, unknown, CertStepExtras> = {
  name: 'certifications',
  statuses: CERT_STATUSES,
  final: ['revoked'],
  apiPrefix: '/api/v1/admin/certifications',
  pagePrefix: '/admin/certifications',
  wrongStateKey: (status) => `certification.in_state_${status}`,
  steps: [
    // Revoking never deletes: the certificate stays on record with its reason; its listings leave the catalogue.
    {
      name: 'revoke',
      from: ['valid', 'expired'],
      to: 'revoked',
      roles: ['admin'],
      may: 'certification.manage',
      input: ReasonInput,
      done: 'certification.revoked_done',
      routed: true,
      wrongState: 'certification.already_revoked',
      form: {
        title: 'certification.revoke_title',
        hint: 'certification.revoke_hint',
        button: 'certification.revoke',
        danger: true,
        fields: [{ name: 'reason', field: 'reason', id: 'revoke-reason', label: 'fields.reason', control: 'textarea', rows: 3, required: true, maxlength: 500 }],
      },
    },
    // Its end date has passed (or an edit moved it into the past): its listings leave the catalogue.
    { name: 'expire', from: ['valid'], to: 'expired', roles: [], may: 'certification.manage', done: 'certification.history_expire', routed: false },
    // An edit or the annual list moved the end date of an expired certificate forward again.
    { name: 'renew', from: ['expired'], to: 'valid', roles: [], may: 'certification.manage', done: 'certification.history_renew', routed: false },
  ],
};

/** The routed steps, as the registrar mounts them (and the access matrix reads them). */
export const CERT_DESK: Workflow<CertStatus, unknown, CertStepExtras> = { ...CERT_WORKFLOW, steps: CERT_WORKFLOW.steps.filter((s) => s.routed) };

export const certStep = (name: CertStepName): CertStep => stepNamed(CERT_WORKFLOW, name);

/** The table's verdict, in the step's own words for a wrong state where it has them. */
export function decideCertStep(step: CertStep, status: string): Verdict<CertStatus> {
  const known = (CERT_STATUSES as readonly string[]).includes(status);
  const verdict = known ? decide(CERT_WORKFLOW, step, status as CertStatus, undefined) : ({ ok: false, reason: 'state', key: '', params: {} } as Verdict<CertStatus>);
  if (!verdict.ok && verdict.reason === 'state') return { ...verdict, key: step.wrongState ?? (known ? verdict.key : 'errors.conflict') };
  return verdict;
}
