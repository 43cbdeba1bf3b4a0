// The NTLM HTTP client lives in src/client (the winrm command uses it too).
export * from '../../src/client/ntlm-http.js';
