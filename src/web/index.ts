/**
 * The web kit: the middleware chain's pieces, the guards, validation, page forms, pagination, rate limits,
 * idempotency and views that every module's routes and pages are built from. It sits below every domain module and
 * imports none of them (docs/architecture.md); a module's routes import it from here.
 */
export { bodyGuard } from './body-guard';
export { bodyParser } from './uploads';
export { answerClientErrors } from './client-errors';
export { clockRoutes } from './clock-routes';
export { csrfProtection, csrfToken, withCsrfPlaceholder } from './csrf';
export { STATUS, errorBody, errorHandler } from './errors';
export { FormInvalid, allIssues, emptyForm, formFailure, formValues, idParam, parseForm, requestBody, setFlash, takeFlash, withoutEmpty, type FormState } from './forms';
export { actorOf, MAX_NEXT, requireRole } from './guards';
export { idempotent } from './idempotency';
export { identity, type ActorLookup, type HostIdentity } from './identity';
export { locale } from './locale';
export { piecedBodies, setPiecedBody } from './pieced-body';
export { DESK_PAGE_SIZE, DESK_TOP, deskSection, pageOf, pagination, paginationModel, type DeskSection, type Page, type PaginationModel } from './pagination';
export { RATE_LIMITS, RateLimiter, clientAddress, enforce, rateLimit, type RateKey, type RatePermit } from './rate-limit';
export { requestLog } from './request-log';
export { keepRouteMatches } from './route-match';
export { destroySession, hasSessionCookie, hashToken, regenerateSession, sessions } from './session';
export type { Actor, AppState, Role, SessionData } from './state';
export { objectFirst, parseBody, parseInput, validate, zodToAppError } from './validate';
export { PdfFontMissing, amountInWords, documentPdf, pdfDisposition, writePdf, type PdfDocumentModel, type PdfWriter } from './pdf';
export { Views, formatDateTime, safePath, type ViewGlobals } from './views';
