"""Merging duplicate leads: the service (`services.leads_merge`), the addresses it leaves
behind (`aliases`), the side-by-side comparison (`compare`) and the pages (`views`)."""
