/** Every analytics route lives under this prefix; health, metrics and docs do not. */
export const API_V1 = 'api/v1';
