import { useAppStore } from './store';

const API_URL = import.meta.env.VITE_API_URL;

export async function apiFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const token = useAppStore.getState().accessToken;
  const headers = new Headers(init.headers);
  if (token) {
    headers.set('Authorization', `Bearer ${token}`);
  }
  return fetch(`${API_URL}${path}`, { ...init, headers, credentials: 'include' });
}
