"""DynamoDB Streams: the read side of the DynamoDB change log (ListStreams ... GetRecords)."""
