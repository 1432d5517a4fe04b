/**
 * The route a request matched, with the mount path of the router it matched in. Express puts the
 * mount path back as an error leaves a router (`req.baseUrl` is '' in an app-level error handler
 * and undefined in Express's final one), so a route read when the response ends came out as
 * `undefined/orders/:id`, or without its router's mount path. Express assigns `req.route` when a
 * route matches, while `req.baseUrl` is still that router's: an accessor for `route` on the app's
 * request prototype notes the whole pattern then.
 */
import type { Request } from 'express';

/** `req.route` of each request whose prototype carries the accessor. */
const routes = new WeakMap<object, unknown>();
/** Each request's last matched route, mount path included. */
const matched = new WeakMap<object, string>();
/** Request prototypes already looked at. */
const seen = new WeakSet<object>();

/** Makes `matchedRoute(req)` see the routes requests of `req`'s app match from now on. */
export function watchRouteMatches(req: Request): void {
  const proto = Object.getPrototypeOf(req) as object | null;
  if (proto === null || seen.has(proto)) return;
  seen.add(proto);
  // Someone else defines `route` there: leave it to them (the route is then read as before).
  if (Object.getOwnPropertyDescriptor(proto, 'route') !== undefined) return;
  Object.defineProperty(proto, 'route', {
    configurable: true,
    enumerable: false,
    get(this: object): unknown {
      return routes.get(this);
    },
    set(this: Request, route: unknown): void {
      routes.set(this, route);
      const path = (route as { path?: unknown } | undefined)?.path;
      if (typeof path === 'string') matched.set(this, (this.baseUrl ?? '') + path);
    },
  });
}

/** The full matched route (`/api/orders/:id`), or undefined when no route matched. */
export function matchedRoute(req: Request): string | undefined {
  const noted = matched.get(req);
  if (noted !== undefined) return noted;
  // A request of an app whose prototype was not ours to extend (a sub-app's own router).
  const path = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? (req.baseUrl ?? '') + path : undefined;
}
