import { Counter, Gauge, register } from 'prom-client';

function counter(name: string, help: string): Counter {
  return (register.getSingleMetric(name) as Counter | undefined) ?? new Counter({ name, help });
}

function gauge(name: string, help: string): Gauge {
  return (register.getSingleMetric(name) as Gauge | undefined) ?? new Gauge({ name, help });
}

/** The rotator's metrics (one set per process, whatever the number of application contexts). */
export const rotationMetrics = {
  completed: counter('keyfleet_key_rotations_completed_total', 'Upstream key rotations finished'),
  failures: counter(
    'keyfleet_key_rotation_failures_total',
    'Failed rotation steps (each is retried with backoff and audited as key_rotation.failed)',
  ),
  proofFailures: counter(
    'keyfleet_key_proof_failures_total',
    'New upstream keys that did not work within KF_KEY_PROOF_SECONDS (the old key kept serving)',
  ),
  stopped: counter(
    'keyfleet_key_rotations_stopped_total',
    'Rotations stopped after KF_KEY_PROOF_MAX_FAILURES failed proofs (audited as key_rotation.stopped)',
  ),
  pending: gauge('keyfleet_key_rotations_pending', 'Upstream key rotations not finished yet'),
  drifted: counter(
    'keyfleet_key_restrictions_reapplied_total',
    'Keys whose restrictions upstream had drifted and were re-applied',
  ),
};
