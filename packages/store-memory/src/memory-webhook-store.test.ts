import { describeWebhookStore } from '@cairn/testkit';
import { createMemoryWebhookStore } from './memory-webhook-store.js';

describeWebhookStore('memory', () => createMemoryWebhookStore());
