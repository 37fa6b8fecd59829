"""PyMySQL connections with less Python per result: column definitions parsed once
per process, date-times read by the standard library's C parser.

Every result set a MySQL/MariaDB server sends starts with one column
definition packet per column (catalog, schema, table, names, type, flags),
and PyMySQL parses each of them in Python, for every statement: on a page
of 20 products (24 columns) plus the authentication statement, that parse
was 10 % of the request's time, more than reading the rows themselves
(py-spy, bench/README.md). A statement run again gets byte-identical
definitions, so `Connection` parses a packet it has not seen and reuses the
parsed packet for the same bytes afterwards. A parsed definition is only
read once built (PyMySQL keeps it in `result.fields` and builds
`cursor.description` from it), so one object can serve every connection of
the process. The cache holds at most `MAX_DEFINITIONS` packets (a few
thousand distinct columns are far more than this app's statements have)
and starts over when full.

PyMySQL reads DATETIME and TIMESTAMP values with a regular expression (5 %
of a page of 20 products, two date-times a row). `read_datetime` hands the
form the server sends, `YYYY-MM-DD hh:mm:ss[.ffffff]`, to
`datetime.fromisoformat` (C) and anything else (zero dates, dates alone) to
PyMySQL's own converter, so every value reads as it did. It is installed
through PyMySQL's public `conv` argument.

`install(engine)` does both through SQLAlchemy's `do_connect` hook, for
PyMySQL engines only; nothing else about the driver changes.
"""

from datetime import datetime

from pymysql.connections import Connection as _Connection
from pymysql.constants import FIELD_TYPE
from pymysql.converters import conversions, convert_datetime
from pymysql.protocol import FieldDescriptorPacket, MysqlPacket
from sqlalchemy import event

MAX_DEFINITIONS = 4096
_parsed = {}


def column_definition(data, encoding):
    """The parsed `FieldDescriptorPacket` of these packet bytes (parsed once)."""
    key = (data, encoding)
    packet = _parsed.get(key)
    if packet is None:
        packet = FieldDescriptorPacket(data, encoding)
        if len(_parsed) >= MAX_DEFINITIONS:
            _parsed.clear()
        _parsed[key] = packet
    return packet


def read_datetime(text):
    """A DATETIME/TIMESTAMP value as PyMySQL reads it, its usual form parsed in C."""
    if len(text) >= 19 and text[10] == " " and (len(text) == 19 or (
            text[19] == "." and text[20:].isdigit() and len(text) <= 26)):
        try:
            return datetime.fromisoformat(text)
        except ValueError:  # out of range (a zero date): PyMySQL's answer
            pass
    return convert_datetime(text)


CONVERSIONS = {**conversions, FIELD_TYPE.DATETIME: read_datetime,
               FIELD_TYPE.TIMESTAMP: read_datetime}


class Connection(_Connection):
    """PyMySQL's connection, reading column definitions through `column_definition`."""

    def _read_packet(self, packet_type=MysqlPacket):
        if packet_type is FieldDescriptorPacket:
            packet_type = column_definition
        return super()._read_packet(packet_type)


def install(engine):
    """Make `engine` (PyMySQL) open its connections as `Connection`, with `CONVERSIONS`."""

    @event.listens_for(engine, "do_connect")
    def _connect(_dialect, _record, cargs, cparams):
        return Connection(*cargs, **{"conv": CONVERSIONS, **cparams})
