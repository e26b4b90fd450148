"""The parts of :mod:`infobip_profiles.bulk` (the person import): the column mapping, rows to
persons, the results, the durable journal, the sources and the steps. Import the public names
from :mod:`infobip_profiles.bulk`."""
