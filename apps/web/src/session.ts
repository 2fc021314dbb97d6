import { createContext, useContext } from 'react';
import type { Role } from './api';

export interface Session {
  role: Role;
  signOut: () => void;
}

export const SessionContext = createContext<Session>({ role: 'viewer', signOut: () => undefined });

export function useSession(): Session {
  return useContext(SessionContext);
}
