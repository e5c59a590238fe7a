"""An authenticator app as the second factor (RFC 6238 TOTP): safer than texts,
since nothing travels over the phone network.

    codes.py    making and checking codes (pyotp), no step used twice
    secrets.py  the shared secret, encrypted at rest
    flows.py    setting the app up, the sign-in check, removing it
    views.py    the profile card's steps (QR code as SVG, made on the server)
    factor.py  the FactorType the shared steps and pages use
"""
