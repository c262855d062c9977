import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { api } from './api';

interface Ticket {
  id: number;
  title: string;
  status: string;
}

function App() {
  const [tickets, setTickets] = useState<Ticket[]>([]);
  const [error, setError] = useState<string>();
  useEffect(() => {
    api<Ticket[]>('/api/tickets').then(setTickets, (e: Error) => setError(e.message));
  }, []);
  if (error) return <p>{error}</p>;
  return (
    <ul>
      {tickets.map((t) => (
        <li key={t.id}>
          #{t.id} {t.title} ({t.status})
        </li>
      ))}
    </ul>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
