import { useEffect, useRef, useState } from 'react';

/**
 * The element a route change moves focus to: the page's h1, or the main landmark while the page
 * is still loading (its busy heading is about to be replaced, and focus would fall to <body>).
 */
function focusTarget(): HTMLElement | null {
  const main = document.querySelector<HTMLElement>('main');
  const heading = main?.querySelector<HTMLElement>('h1');
  if (heading && !heading.closest('[aria-busy="true"]')) return heading;
  return main ?? null;
}

/**
 * Focus and announcement for a single-page app's route changes, as a full page load would give a
 * screen reader: after a navigation the visitor made happen (signing in or out, back and forward,
 * a session that expired under them), focus moves to the new page's h1 (or its main landmark) and
 * the page title is announced politely. The first load and its redirects (/ → dashboard, signed
 * out → /login) leave focus where the browser put it: until the visitor has pressed a key or a
 * pointer, nothing is moved.
 */
export function RouteFocus({ path, title }: { path: string; title: string }) {
  const [announcement, setAnnouncement] = useState('');
  const previousPath = useRef(path);
  const interacted = useRef(false);

  useEffect(() => {
    const mark = () => {
      interacted.current = true;
    };
    document.addEventListener('pointerdown', mark, true);
    document.addEventListener('keydown', mark, true);
    return () => {
      document.removeEventListener('pointerdown', mark, true);
      document.removeEventListener('keydown', mark, true);
    };
  }, []);

  useEffect(() => {
    if (previousPath.current === path) return;
    previousPath.current = path;
    if (!interacted.current) return;

    const target = focusTarget();
    if (target) {
      // Headings and <main> are not focusable by default: -1 makes them reachable by script only.
      if (!target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
      target.focus();
    }
    setAnnouncement(title);
  }, [path, title]);

  return (
    <div className="sr-only" aria-live="polite" aria-atomic="true">
      {announcement}
    </div>
  );
}
