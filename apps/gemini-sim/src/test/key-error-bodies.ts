// Google's key error bodies, exactly as GEMINI-FACTS.md gives them: what the simulator must answer.
const SERVICE = 'generativelanguage.googleapis.com';

export const API_KEY_INVALID = {
  error: {
    code: 400,
    message: 'API key not valid. Please pass a valid API key.',
    status: 'INVALID_ARGUMENT',
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'API_KEY_INVALID',
        domain: 'googleapis.com',
        metadata: { service: SERVICE },
      },
    ],
  },
};

/** 403 for a key used from `ip`, outside its allowed addresses, in project `projectId`. */
export const ipBlockedBody = (ip: string, projectId: string) => ({
  error: {
    code: 403,
    message: `The provided API key has an IP address restriction. The originating IP address of the call (${ip}) violates this restriction.`,
    status: 'PERMISSION_DENIED',
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'API_KEY_IP_ADDRESS_BLOCKED',
        domain: 'googleapis.com',
        metadata: { service: SERVICE, consumer: `projects/${projectId}` },
      },
    ],
  },
});
