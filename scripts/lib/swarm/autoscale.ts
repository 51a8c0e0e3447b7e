// What the kit itself needs to know of an auto-scale policy (the labels are read and checked by
// the auto-scaler, services/autoscaler/policy.py): which services have one, so that a deploy keeps
// the count the auto-scaler gave them and make scale stays within the policy's bounds.

/** The label that turns a service's policy on: the most replicas the auto-scaler gives it. */
export const AUTOSCALE_MAX_LABEL = 'galaxy.autoscale.max';

export function autoscaled(service: { labels?: unknown } | undefined): boolean {
  return (service?.labels as Record<string, string> | undefined)?.[AUTOSCALE_MAX_LABEL] !== undefined;
}
