export * from './communities.js';
export * from './organizations.js';
export * from './service-categories.js';
export * from './api-keys.js';
export * from './audit-events.js';
