/**
 * A mistake in what the caller gave (a stack file, a host inventory, a flag's value, a git ref), as
 * opposed to a fault of the machine or a bug. Lower layers throw their own subclasses; the CLI reports
 * every InputError as a usage error without having to import (and load) the module that threw it.
 */
export class InputError extends Error {}
