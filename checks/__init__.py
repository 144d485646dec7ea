"""The check catalogue: one check per module, grouped by domain. See csu_assure.catalogue for how it is built."""
