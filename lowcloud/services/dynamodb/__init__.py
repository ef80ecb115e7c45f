"""DynamoDB: tables, items, expressions, indexes, queries, transactions, PartiQL (api.DynamoDB)."""
