"""Gettext catalogs: reading, writing, looking up, merging, extracting and compiling."""
