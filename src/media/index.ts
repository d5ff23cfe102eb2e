/**
 * Product pictures and spec sheets (issue 18 item 5): the vendor's uploads, checked by content and re-encoded; the
 * files served to those who may see the listing; the generated placeholder; the side-by-side comparison page.
 */
export { mediaRoutes } from './routes';
export { MediaService, type DocumentView, type ImageView, type MediaView } from './service';
export { placeholderSvg } from './placeholder';
