"""The respondent flow: IIT by one-time access code, EIT by public link or QR code."""
