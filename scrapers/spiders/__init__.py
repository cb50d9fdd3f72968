"""binhon's spiders, one per file (file name == spider name); base.py holds the shared base."""
