/**
 * Integration (issue 17): the events feed over the transactional outbox (written by audit), the hosts' signed
 * webhooks and their delivery worker, the public Atom feed of notices, and the purchase intentions (采购意向公开)
 * that a 政府首购 case must match.
 */
export { intentionForCase, matchingIntention, IntentionService, type IntentionView } from './intentions';
export { integrationRoutes } from './routes';
export { sign, verifySignature, SIGNATURE_HEADER, TIMESTAMP_HEADER, EVENT_ID_HEADER, EVENT_TYPE_HEADER, DELIVERY_HEADER, REPLAY_WINDOW_SECONDS } from './signature';
export { checkWebhookUrl, isPublicAddress } from './url-rule';
export { WebhookService, type WebhookView, type DeliveryView } from './webhooks';
export { WebhookWorker, backoffMs, httpSend, type Send, type SendResult, type WorkerOptions, type RoundReport } from './worker';
export { eventPage, eventView, type PublicEvent } from './events';
