"""Record models, validation and the pure rules of shuping.

Nothing here touches the disk, git or the terminal: every rule is a function from
records to results, so it can be tested with tables of cases.
"""
