"""The one process harness of the tests and the scale-out rehearsal: real processes, real servers, on loopback."""
