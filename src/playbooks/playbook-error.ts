/**
 * A playbook that cannot run as configured (an unknown name, a feature no event carries): the
 * CLI prints its message, the API answers it as a 400. In a file of its own so that the
 * evaluators, which run-playbooks.ts imports, can throw it without an import cycle.
 */
export class PlaybookError extends Error {}
