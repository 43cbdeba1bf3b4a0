// Authorisation core (sans-I/O): SIDs, SDDL, network-logon tokens and the access check.
export * from './sids.js';
export * from './sddl.js';
export * from './token.js';
