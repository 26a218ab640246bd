import { describe, expect, it } from 'vitest';
import { ApiError } from '@/lib/api-client';
import { assessFreshness, type EndpointState } from './use-dashboard-freshness';

const ok = (data: unknown = {}): EndpointState => ({ data, isValidating: false });
const unavailable = new ApiError(503, 'unavailable', 'database unreachable');

describe('assessFreshness', () => {
  it('is fresh when every endpoint answered: last update is the latest answer', () => {
    const freshness = assessFreshness({ a: ok(), b: ok() }, { a: 1_000, b: 3_000 });
    expect(freshness).toEqual({ lastUpdate: 3_000, refreshing: false, stale: new Set(), outage: undefined });
  });

  it('knows no last update before the first answer', () => {
    const freshness = assessFreshness({ a: { isValidating: true } }, {});
    expect(freshness.lastUpdate).toBeUndefined();
    // Loading for the first time is not "refreshing": there is nothing on screen to refresh.
    expect(freshness.refreshing).toBe(false);
  });

  it('is refreshing while data on screen is being fetched again', () => {
    expect(assessFreshness({ a: { data: {}, isValidating: true } }, { a: 1_000 }).refreshing).toBe(true);
  });

  it('marks data kept through a failed refresh as stale, since its oldest answer', () => {
    const freshness = assessFreshness(
      { a: { ...ok(), error: unavailable }, b: { ...ok(), error: unavailable }, c: ok() },
      { a: 2_000, b: 1_000, c: 5_000 },
    );
    expect(freshness.stale).toEqual(new Set(['a', 'b']));
    expect(freshness.outage).toEqual({ since: 1_000, nothingLoaded: false });
    expect(freshness.lastUpdate).toBe(5_000);
  });

  it('says nothing was loaded when the failing endpoints never answered', () => {
    const freshness = assessFreshness({ a: { error: unavailable, isValidating: false }, b: ok() }, { b: 1_000 });
    expect(freshness.stale).toEqual(new Set());
    expect(freshness.outage).toEqual({ since: undefined, nothingLoaded: true });
  });

  it('counts an endpoint with old data as stale even when another never loaded', () => {
    const freshness = assessFreshness(
      { a: { ...ok(), error: unavailable }, b: { error: unavailable, isValidating: false } },
      { a: 1_000 },
    );
    expect(freshness.outage).toEqual({ since: 1_000, nothingLoaded: false });
  });

  it('sees no outage in a 401: the admin is on the way to /login', () => {
    const expired = new ApiError(401, 'unauthorized', 'session expired');
    const freshness = assessFreshness({ a: { ...ok(), error: expired } }, { a: 1_000 });
    expect(freshness.outage).toBeUndefined();
    expect(freshness.stale).toEqual(new Set());
  });
});
