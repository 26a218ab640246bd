import { AppProvider } from './provider';
import { AppRouter } from './router';

/** The whole SPA: providers around the three routes. */
export function App() {
  return (
    <AppProvider>
      <AppRouter />
    </AppProvider>
  );
}
