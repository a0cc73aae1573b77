#!/usr/bin/env node
// The image's HEALTHCHECK: GET /readyz of whichever keyfleet process runs in the container (the api on
// PORT; worker and rotator on KF_HEALTH_PORT), or KF_HEALTHCHECK_URL when set (the simulator). Exit 0 = healthy.
const healthPort =
  process.env.KF_HEALTH_PORT && process.env.KF_HEALTH_PORT !== '0' ? process.env.KF_HEALTH_PORT : null;
const url =
  process.env.KF_HEALTHCHECK_URL ?? `http://127.0.0.1:${healthPort ?? process.env.PORT ?? 8080}/readyz`;
fetch(url, { signal: AbortSignal.timeout(2500) }).then(
  (response) => process.exit(response.ok ? 0 : 1),
  () => process.exit(1),
);
