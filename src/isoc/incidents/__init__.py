"""Cyber incident and breach trends: incidents in the VERIS community schema's terms,
imported from VERIS JSON (the VERIS Community Database, VCDB), the trend figures
(``trends``, Django-free) and the annual Cyber Incident & Breach Trends report."""
