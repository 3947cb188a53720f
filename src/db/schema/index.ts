export * from './communities.js';
export * from './organizations.js';
export * from './service-categories.js';
export * from './api-keys.js';
export * from './audit-events.js';
export * from './volunteers.js';
export * from './agreements.js';
export * from './service-entries.js';
