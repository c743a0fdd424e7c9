"""The requirements of each RFC, one module per RFC, registered in the catalogue on import."""
