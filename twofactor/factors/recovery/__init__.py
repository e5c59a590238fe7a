"""Recovery codes: ten single-use codes for when the phone or app is lost.

They never turn two-factor on by themselves; with it on, one code signs in
once, and the owner is emailed each time.

    codes.py  making, normalising and hashing codes
    flows.py  a new set, using a code
    forms.py  the recovery-code field
    views.py  the profile card's steps
    factor.py  the FactorType the shared steps and pages use
"""
