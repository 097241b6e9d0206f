"""Background work that survives a broker outage or a killed worker.

Every task intent lives in the database, written in its cause's transaction: either as state
a sweep re-derives (a prospect without an owner, an import whose lease expired) or as a row
of the small outbox here. Publishing to the broker after commit is only an optimisation
(`outbox.publish`); periodic sweeps re-drive whatever is still due.
"""
