import { create } from 'zustand';
import { persist } from 'zustand/middleware';

interface AuthUser {
  id: string;
  email: string;
}

interface AppState {
  isAuthenticated: boolean;
  user: AuthUser | null;
  accessToken: string | null;
  setAuth: (user: AuthUser, accessToken: string) => void;
  logout: () => void;
}

export const useAppStore = create<AppState>()(
  persist(
    (set) => ({
      isAuthenticated: false,
      user: null,
      accessToken: null,
      setAuth: (user, accessToken) => set({ isAuthenticated: true, user, accessToken }),
      logout: () => set({ isAuthenticated: false, user: null, accessToken: null }),
    }),
    {
      name: 'insight-garden-auth',
      partialize: (s) => ({ isAuthenticated: s.isAuthenticated, user: s.user, accessToken: s.accessToken }),
    },
  ),
);
