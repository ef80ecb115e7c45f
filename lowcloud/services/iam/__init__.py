"""IAM: roles, users, managed and inline policies, instance profiles, kept as data."""
