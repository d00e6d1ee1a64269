--
-- alltypes.sql - a schema and deterministic rows that exercise every column type a
-- PostgreSQL 15 table can hold, and the table shapes a copy must get right.
--
--   psql -X -v ON_ERROR_STOP=1 -d DB -f tests/data/alltypes.sql      (an empty database)
--
-- Tables (public unless said):
--   alltypes           int PK; one column of every type; ~30 hand-written edge rows (NaN,
--                      +-Infinity, -0, min/max, BC dates, empty vs NULL, escapes, UTF-8...)
--                      then 2,000 generated rows; identity, serial and generated columns
--   int_pk             50k rows, integer PK with gaps, a dropped column and a column added
--                      later with a default (missing-value rows): splits into many chunks
--   no_key             no key at all, with fully duplicated rows and all-NULL rows
--   composite_pk       PK (integer, text); text that sorts differently in C and in ICU/libc
--   text_pk            text PK: '', ' ', case and accent variants, emoji, 2,000-char keys
--   uuid_pk            uuid PK, incl. the nil and max uuids
--   skewed             bigint PK: 20k dense keys plus far outliers up to the int8 limits
--   toasty             200 rows of 20-200 kB text, bytea (STORAGE EXTERNAL), lz4 text
--   empty_table        no rows
--   "Mixed Case", "with space", "dot.in.name", "quote""d", "order", "ünïcödé",
--   "Other Schema"."Mixed Case", "Other Schema".plain   quoted identifiers
--   part_range         RANGE partitions (MINVALUE, yearly, DEFAULT), one sub-partitioned by LIST
--   part_list          LIST partitions incl. a NULL partition and DEFAULT; no key
--   part_hash          HASH partitions
--   inh_parent/inh_child  classic inheritance: a copy must not read the child's rows twice
--
-- Every value is a literal or a function of generate_series: two loads are identical.
--
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';
SET intervalstyle = 'postgres';
SET xmloption = content;
SET search_path = public;

BEGIN;

CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy', 'très bien', 'it''s "fine"', 'with,comma', '');
CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
CREATE DOMAIN us_postal AS text CHECK (VALUE ~ '^[0-9]{5}$');
CREATE TYPE addr AS (street text, num integer, since date, tags text[]);
CREATE SCHEMA "Other Schema";

CREATE TABLE empty_table (
    id integer PRIMARY KEY,
    name text NOT NULL,
    created timestamptz
);

CREATE TABLE alltypes (
    id integer PRIMARY KEY,
    c_int2 smallint,
    c_int4 integer,
    c_int8 bigint,
    c_numeric numeric,
    c_numeric_p numeric(12, 4),
    c_float4 real,
    c_float8 double precision,
    c_money money,
    c_serial serial,
    c_char char(5),
    c_varchar varchar(20),
    c_text text,
    c_text_c text COLLATE "C",
    c_name name,
    c_qchar "char",
    c_bytea bytea,
    c_bool boolean,
    c_date date,
    c_time time,
    c_time3 time(3),
    c_timetz timetz,
    c_ts timestamp,
    c_ts0 timestamp(0),
    c_tstz timestamptz,
    c_interval interval,
    c_interval_ym interval year to month,
    c_uuid uuid,
    c_inet inet,
    c_cidr cidr,
    c_macaddr macaddr,
    c_macaddr8 macaddr8,
    c_bit bit(8),
    c_varbit bit varying(64),
    c_tsvector tsvector,
    c_tsquery tsquery,
    c_json json,
    c_jsonb jsonb,
    c_jsonpath jsonpath,
    c_xml xml,
    c_point point,
    c_line line,
    c_lseg lseg,
    c_box box,
    c_path path,
    c_polygon polygon,
    c_circle circle,
    c_int4range int4range,
    c_int8range int8range,
    c_numrange numrange,
    c_tsrange tsrange,
    c_tstzrange tstzrange,
    c_daterange daterange,
    c_int4multirange int4multirange,
    c_int8multirange int8multirange,
    c_nummultirange nummultirange,
    c_tsmultirange tsmultirange,
    c_tstzmultirange tstzmultirange,
    c_datemultirange datemultirange,
    c_int_arr integer[],
    c_text_arr text[],
    c_int_2d integer[][],
    c_float_arr double precision[],
    c_jsonb_arr jsonb[],
    c_mood mood,
    c_mood_arr mood[],
    c_posint posint,
    c_postal us_postal,
    c_addr addr,
    c_addr_arr addr[],
    c_pg_lsn pg_lsn,
    c_txid_snapshot txid_snapshot,
    c_pg_snapshot pg_snapshot,
    c_oid oid,
    c_xid xid,
    c_xid8 xid8,
    c_cid cid,
    c_tid tid,
    c_regclass regclass,
    c_regtype regtype,
    c_regproc regproc,
    c_regprocedure regprocedure,
    c_regoper regoper,
    c_regoperator regoperator,
    c_regnamespace regnamespace,
    c_regrole regrole,
    c_regconfig regconfig,
    c_regdictionary regdictionary,
    c_regcollation regcollation,
    c_refcursor refcursor,
    c_int2vector int2vector,
    c_oidvector oidvector,
    c_identity bigint GENERATED ALWAYS AS IDENTITY,
    c_generated text GENERATED ALWAYS AS (md5(coalesce(c_text, '<null>') || coalesce(c_int8::text, '<null>'))) STORED
);

-- 1: an ordinary value in every column.
INSERT INTO alltypes (id, c_int2, c_int4, c_int8, c_numeric, c_numeric_p, c_float4, c_float8, c_money,
    c_char, c_varchar, c_text, c_text_c, c_name, c_qchar, c_bytea, c_bool, c_date, c_time, c_time3,
    c_timetz, c_ts, c_ts0, c_tstz, c_interval, c_interval_ym, c_uuid, c_inet, c_cidr, c_macaddr,
    c_macaddr8, c_bit, c_varbit, c_tsvector, c_tsquery, c_json, c_jsonb, c_jsonpath, c_xml, c_point,
    c_line, c_lseg, c_box, c_path, c_polygon, c_circle, c_int4range, c_int8range, c_numrange,
    c_tsrange, c_tstzrange, c_daterange, c_int4multirange, c_int8multirange, c_nummultirange,
    c_tsmultirange, c_tstzmultirange, c_datemultirange, c_int_arr, c_text_arr, c_int_2d, c_float_arr,
    c_jsonb_arr, c_mood, c_mood_arr, c_posint, c_postal, c_addr, c_addr_arr, c_pg_lsn,
    c_txid_snapshot, c_pg_snapshot, c_oid, c_xid, c_xid8, c_cid, c_tid, c_regclass, c_regtype,
    c_regproc, c_regprocedure, c_regoper, c_regoperator, c_regnamespace, c_regrole, c_regconfig,
    c_regdictionary, c_regcollation, c_refcursor, c_int2vector, c_oidvector)
VALUES (1, 1, 42, 1234567890123, 3.14159265358979323846264338327950288419716939937510, 1234.5678,
    1.5, 2.718281828459045, 1234.56, 'ab', 'hello', 'plain text', 'C collated', 'a_name', 'x',
    '\xdeadbeef', true, '2024-02-29', '13:45:06.789012', '13:45:06.789', '13:45:06+05:30',
    '2024-02-29 13:45:06.123456', '2024-02-29 13:45:06', '2024-02-29 13:45:06.123456+01',
    '1 year 2 mons 3 days 04:05:06.789', '1 year 2 mons', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
    '192.168.0.1/24', '10.0.0.0/8', '08:00:2b:01:02:03', '08:00:2b:01:02:03:04:05', B'10101010',
    B'1101', 'a fat cat sat on a mat', 'fat & (rat | cat)', '{"a": 1, "b": [1, 2, "x"], "a": 2}',
    '{"nested": {"deep": [1, {"x": null}]}, "n": 1.50}', '$.a[*] ? (@ > 1)',
    '<doc><item id="1">text &amp; more</item></doc>', '(1.5,-2.25)', '{1,-1,0}', '[(0,0),(1,1)]',
    '(1,1),(0,0)', '[(0,0),(1,1),(2,0)]', '((0,0),(0,1),(1,1),(1,0))', '<(0,0),5>', '[1,10)',
    '[10000000000,20000000000]', '(1.5,2.5]', '[2024-01-01 00:00,2024-01-02 00:00)',
    '[2024-01-01 00:00+00,2024-01-02 00:00+00)', '[2024-01-01,2024-02-01)', '{[1,3),[5,7)}',
    '{[1,2)}', '{[1.5,2.5]}', '{[2024-01-01 00:00,2024-01-02 00:00)}',
    '{[2024-01-01 00:00+00,2024-01-02 00:00+00)}', '{[2024-01-01,2024-01-05),[2024-02-01,2024-02-03)}',
    '{1,2,3}', '{"a","b c","d\"e"}', '{{1,2},{3,4}}', '{1.5,-2.25}',
    ARRAY['{"a": 1}'::jsonb, '[]'::jsonb], 'happy', '{sad,happy}', 7, '12345',
    ROW('Main St', 12, '2020-01-01', '{a,b}'), ARRAY[ROW('Elm', 1, '1999-12-31', '{}')::addr, NULL],
    '16/B374D848', '10:20:10,14,15', '10:20:10,14,15', 12345, '1234', '123456789012', '5', '(0,1)',
    'pg_catalog.pg_class', 'integer', 'now', 'sum(integer)', '||/', '+(integer,integer)',
    'pg_catalog', 'pg_monitor', 'english', 'simple', '"C"', 'cur1', '1 2 3', '23 25');

-- 2: NULL everywhere (but the key and the columns that fill themselves).
INSERT INTO alltypes (id) VALUES (2);

-- 3: maxima.
INSERT INTO alltypes (id, c_int2, c_int4, c_int8, c_numeric, c_numeric_p, c_float4, c_float8, c_money,
    c_char, c_varchar, c_date, c_time, c_timetz, c_ts, c_tstz, c_interval, c_interval_ym, c_uuid,
    c_inet, c_cidr, c_macaddr, c_macaddr8, c_bit, c_varbit, c_int4range, c_int8range, c_pg_lsn,
    c_oid, c_xid, c_xid8, c_cid, c_tid, c_posint, c_text)
VALUES (3, 32767, 2147483647, 9223372036854775807, (repeat('9', 300) || '.' || repeat('9', 100))::numeric,
    99999999.9999, 3.4028235e+38, 1.7976931348623157e+308, 92233720368547758.07, 'abcde',
    'ééééééééééééééééééé€', '5874897-12-31', '24:00:00', '24:00:00-15:59',
    '294276-12-31 23:59:59.999999', '294276-12-31 23:59:59.999999+00', '178000000 years',
    '178000000 years', 'ffffffff-ffff-ffff-ffff-ffffffffffff', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128',
    '255.255.255.255/32', 'ff:ff:ff:ff:ff:ff', 'ff:ff:ff:ff:ff:ff:ff:ff', B'11111111',
    B'1111111111111111111111111111111111111111111111111111111111111111', '[-2147483648,2147483646]',
    '[-9223372036854775808,9223372036854775806]', 'FFFFFFFF/FFFFFFFF', 4294967295, '4294967295',
    '18446744073709551615', '4294967295', '(4294967295,65535)', 2147483647, 'maxima');

-- 4: minima, BC dates.
INSERT INTO alltypes (id, c_int2, c_int4, c_int8, c_numeric, c_numeric_p, c_float4, c_float8, c_money,
    c_date, c_time, c_timetz, c_ts, c_tstz, c_interval, c_interval_ym, c_uuid, c_inet, c_cidr,
    c_macaddr, c_bit, c_pg_lsn, c_oid, c_xid, c_xid8, c_posint, c_text, c_tsrange, c_daterange)
VALUES (4, -32768, -2147483648, -9223372036854775808, ('-0.' || repeat('0', 200) || '1')::numeric,
    -99999999.9999, 1.4e-45, 4.9406564584124654e-324, -92233720368547758.08, '4713-01-01 BC',
    '00:00:00', '00:00:00+15:59', '4713-01-01 00:00:00 BC', '4713-01-01 00:00:00+00 BC',
    '-178000000 years', '-178000000 years', '00000000-0000-0000-0000-000000000000', '0.0.0.0/0',
    '::/0', '00:00:00:00:00:00', B'00000000', '0/0', 0, '0', '0', 1, 'minima',
    '[0044-03-15 12:00 BC,0001-01-01 00:00 BC)', '[0001-01-01 BC,0001-01-01)');

-- 5-7: NaN, Infinity, -Infinity, and -0.
INSERT INTO alltypes (id, c_numeric, c_float4, c_float8, c_date, c_ts, c_tstz, c_float_arr, c_point,
    c_numrange, c_daterange, c_tstzrange, c_text)
VALUES (5, 'NaN', 'NaN', 'NaN', 'infinity', 'infinity', 'infinity', '{NaN,Infinity,-Infinity,-0}',
        '(NaN,NaN)', '(,)', '[2024-01-01,infinity)', '[-infinity,infinity]', 'nan'),
       (6, 'Infinity', 'Infinity', 'Infinity', '-infinity', '-infinity', '-infinity', '{}',
        '(Infinity,-Infinity)', '(,10]', '(,2024-01-01)', '(,)', 'inf'),
       (7, '-Infinity', '-Infinity', '-Infinity', '0001-01-01', '0001-01-01 00:00:00',
        '0001-01-01 00:00:00+00', '{1e-310,1e308}', '(-0,-0)', '[0,)', 'empty', 'empty', '-inf');
INSERT INTO alltypes (id, c_numeric, c_float4, c_float8, c_money, c_int4, c_point, c_interval, c_text)
VALUES (8, '-0', '-0', '-0', '-0', 0, '(0,-0)', '-1 days +02:03:04.000001', 'negative zero'),
       (9, 0.1, 0.1, 0.1, 0.01, -1, '(0.1,0.2)', '-00:00:00.000001', 'one tenth'),
       (10, 1e-130, 3.3333333, 0.30000000000000004, 0.001, 1, '(1e300,-1e-300)', '1 mon -30 days',
        'rounding');

-- 11: the empty value of each type that has one (not NULL).
INSERT INTO alltypes (id, c_char, c_varchar, c_text, c_text_c, c_name, c_bytea, c_varbit, c_tsvector,
    c_json, c_jsonb, c_xml, c_int4range, c_int8range, c_numrange, c_tsrange, c_tstzrange, c_daterange,
    c_int4multirange, c_int8multirange, c_nummultirange, c_tsmultirange, c_tstzmultirange,
    c_datemultirange, c_int_arr, c_text_arr, c_int_2d, c_jsonb_arr, c_mood, c_mood_arr, c_addr,
    c_addr_arr, c_refcursor, c_int2vector, c_oidvector)
VALUES (11, '', '', '', '', '', '\x', B'', '', '{}', '[]', '', 'empty', 'empty', 'empty', 'empty',
    'empty', 'empty', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '', '{}',
    ROW(NULL, NULL, NULL, NULL), '{}', '', '', '');

-- 12-40: text that COPY, CSV, masking and shells get wrong.
INSERT INTO alltypes (id, c_text, c_varchar, c_text_c, c_char, c_bytea)
VALUES (12, E'tab\there', E'a\tb', E'\t', E'\t', '\x09'),
       (13, E'new\nline', E'a\nb', E'\n', E'\n', '\x0a'),
       (14, E'carriage\rreturn', E'a\rb', E'\r', E'\r', '\x0d'),
       (15, E'crlf\r\nline', E'a\r\nb', E'\r\n', E'\r\n', '\x0d0a'),
       (16, 'back\slash', 'a\b', '\', '\', '\x5c'),
       (17, '\N', '\N', '\N', '\N', '\x5c4e'),
       (18, 'NULL', 'null', 'NULL', 'NULL', '\x4e554c4c'),
       (19, '\.', '\.', '\.', '\.', '\x5c2e'),
       (20, 'single '' quote and "double" quotes', '''', '"', '"''"', '\x2227'),
       (21, 'comma, separated; semicolon | pipe', ',', ',', ',', '\x2c'),
       (22, '{braces} [brackets] (parens) <angles>', '{}', '()', '{}', '\x7b7d'),
       (23, '  leading and trailing  ', ' ', '  ', ' ', '\x20'),
       (24, 'naïve café Ærøskøbing Łódź Straße', 'Ærø', 'Ž', 'ß', convert_to('naïve', 'UTF8')),
       (25, 'Ελληνικά Русский 日本語 中文 한국어 עברית العربية हिन्दी', '日本語', '한', 'ع', '\xe697a5'),
       (26, 'emoji 😀👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈 🇫🇷', '😀', '👍🏽', '🇫🇷', '\xf09f9880'),
       (27, U&'combining e\0301 vs \00e9, nbsp\00a0here, zwsp\200bhere', U&'e\0301', U&'\00e9', U&'\00a0', '\xcc81'),
       (28, U&'bom \feff, replacement \fffd, max \+10ffff, lsep \2028 psep \2029', U&'\feff', U&'\+10ffff', U&'\2028', '\xefbbbf'),
       (29, E'controls \x01\x02\x1b[0m\x1f\x7f end', E'\x01', E'\x1f', E'\x7f', '\x00017f'),
       (30, E'bytes with zero: see c_bytea', 'zero', 'zero', 'zero', '\x000000ff00'),
       (31, repeat('long ', 2000) || 'end', repeat('x', 20), repeat('€', 100), 'abcde', decode(repeat('00ff', 3000), 'hex')),
       (32, E'all escapes \\ \b \f \n \r \t \v \x01 done', E'\b\f', E'\v', E'\f', '\x080c0b'),
       (33, '$$dollar$$ quoting $tag$ and %s %d %n format strings ${HOME} $(id) `id`', '$1', '%s', '$', '\x24'),
       (34, '-- not a comment /* nor this */ ; DROP TABLE alltypes; --', ';', '--', '/*', '\x2d2d'),
       (35, '<script>alert("x")</script> &amp; &lt;', '<', '&', '>', '\x3c'),
       (36, 'COPY-like line with \t escape letters and a trailing backslash \', '\t', '\n', '\r', '\x5c74'),
       (37, E'trailing newline\n', E'\n\n', E'\n\n\n', ' ', '\x0a0a'),
       (38, 'Ünïcödé ÜNÏCÖDÉ ünïcödé', 'ÄÖÜ', 'äöü', 'ÄÖÜ', '\xc384'),
       (39, 'ﬃ ligature, Kelvin K sign, ǅ titlecase, İ dotted, ı dotless', 'ﬃ', 'K', 'İ', '\xefac83'),
       (40, repeat('9', 50), '0042', '007', '00', '\x30');

-- 41-50: JSON, XML, arrays, composites, text search, network and geometry edge values.
INSERT INTO alltypes (id, c_json, c_jsonb, c_jsonpath, c_xml, c_text_arr, c_int_2d, c_int_arr, c_addr,
    c_addr_arr, c_tsvector, c_tsquery, c_inet, c_cidr, c_macaddr8, c_path, c_polygon, c_box, c_lseg,
    c_circle, c_line, c_mood, c_mood_arr, c_jsonb_arr, c_float_arr)
VALUES
    (41, '{"e":"\u00e9","nul":"\u0000","emoji":"\ud83d\ude00","dup":1,"dup":2}',
     '{"e":"\u00e9","emoji":"\ud83d\ude00","key \"q\"":"tab\tand\nnewline","big":1e400,"neg":-0.0}',
     'strict $."key with space"', '<?xml version="1.0"?><a>é<![CDATA[<raw> & stuff]]></a>',
     '{NULL,"NULL","","  ","a\\b","q\"q","{x}","a,b"}', '{{1,NULL},{NULL,4}}', '[0:2]={1,2,3}',
     ROW('with "quotes", (parens) and \ backslash', -1, '0001-01-01 BC', '{NULL}'),
     ARRAY[ROW('a,b', 1, NULL, '{"x y"}')::addr, ROW(NULL, NULL, NULL, NULL)::addr],
     'a:1A fat:2B,4C cat:5D ''with space'':6', 'sup:* & !cat <-> dog', '::1', '2001:db8::/32',
     '08:00:2b:ff:fe:01:02:03', '((0,0),(1,1),(2,0))', '((0,0))', '(0,0),(0,0)', '[(0,0),(0,0)]',
     '<(1e10,-1e10),0>', '{0,1,-5}', 'très bien', '{"très bien","it''s \"fine\"","with,comma",""}',
     '{"{\"a\": \"x,y\"}", "null", "\"str\""}', '{1.7976931348623157e+308,-2.2250738585072014e-308}'),
    (42, '[]', 'null', '$', '<a/><b/>text<!-- comment --><?pi target?>', '{{"a","b"},{"c",NULL}}',
     '{{{1,2}},{{3,4}}}', '{-2147483648,2147483647,NULL}', ROW('', 0, 'infinity', '{}'),
     '{NULL}', '', '!a', '10.1.2.3', '10.1.2.0/24', '00:00:00:00:00:00:00:00', '[(1,1)]',
     '((0,0),(10,0),(10,10),(0,10),(5,5))', '(-1,-1),(-2,-2)', '[(1e-300,1e300),(0,0)]',
     '<(0,0),1e-300>', '{1,0,0}', 'ok', '{}', '{NULL}', '{NULL,NULL}'),
    (43, '"just a string with \"escapes\" \\ \/ \b\f\n\r\t"', '"\u00e9\ud83d\ude00"',
     '$.a ? (@ like_regex "^x.*" flag "i")', 'é &amp; ü as text only', '{"\\N","\\.",""}',
     '[1:1][2:3]={{5,6}}', '{}', ROW(repeat('x', 300), 2147483647, '4713-01-01 BC', '{a,b,c}'),
     NULL, '''\\backslash'' ''quote''''d''', '''a b'':* & c', '192.168.1.1/32', '192.168.1.1/32',
     NULL, '[(0,0),(1e308,1e308)]', NULL, NULL, NULL, NULL, NULL, 'it''s "fine"', '{"with,comma"}',
     NULL, NULL),
    (44, ('{"deep":' || repeat('[', 200) || '1' || repeat(']', 200) || '}')::json,
     ('{"deep":' || repeat('{"a":', 100) || '1' || repeat('}', 100) || '}')::jsonb,
     '$.**', '<r xmlns="urn:x" xmlns:p="urn:p"><p:q p:att="1"/></r>', NULL, NULL, NULL, NULL, NULL,
     NULL, NULL, 'fe80::1/64', 'fe80::/64', NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'with,comma',
     NULL, NULL, NULL);

-- 1001-3000: generated rows with a bit of everything; NULLs sprinkled per column.
INSERT INTO alltypes (id, c_int2, c_int4, c_int8, c_numeric, c_numeric_p, c_float4, c_float8, c_money,
    c_char, c_varchar, c_text, c_text_c, c_name, c_qchar, c_bytea, c_bool, c_date, c_time, c_time3,
    c_timetz, c_ts, c_ts0, c_tstz, c_interval, c_interval_ym, c_uuid, c_inet, c_cidr, c_macaddr,
    c_macaddr8, c_bit, c_varbit, c_tsvector, c_tsquery, c_json, c_jsonb, c_jsonpath, c_xml, c_point,
    c_line, c_lseg, c_box, c_path, c_polygon, c_circle, c_int4range, c_int8range, c_numrange,
    c_tsrange, c_tstzrange, c_daterange, c_int4multirange, c_int8multirange, c_nummultirange,
    c_tsmultirange, c_tstzmultirange, c_datemultirange, c_int_arr, c_text_arr, c_int_2d, c_float_arr,
    c_jsonb_arr, c_mood, c_mood_arr, c_posint, c_postal, c_addr, c_addr_arr, c_pg_lsn,
    c_txid_snapshot, c_pg_snapshot, c_oid, c_xid, c_xid8, c_cid, c_tid, c_regclass, c_regtype,
    c_regproc, c_regprocedure, c_regoper, c_regoperator, c_regnamespace, c_regrole, c_regconfig,
    c_regdictionary, c_regcollation, c_refcursor, c_int2vector, c_oidvector)
SELECT i,
    nullif((h % 65536 - 32768)::smallint, -1),
    (h % 4294967296 - 2147483648)::integer,
    CASE WHEN i % 11 = 0 THEN NULL ELSE h - 4611686018427387904 END,
    CASE WHEN i % 13 = 0 THEN NULL ELSE ((h % 2000000) - 1000000)::numeric / (1 + i % 997) END,
    round(((h % 200000000) - 100000000)::numeric / 10000, 4),
    (((h % 100000) - 50000) / 7.0)::real,
    ((h % 100000000) - 50000000) / 3.0e7::double precision,
    (((h % 10000000) - 5000000) / 100.0)::numeric::money,
    substr(md5(i::text), 1, 1 + i % 5),
    CASE WHEN i % 17 = 0 THEN NULL ELSE substr('αβγδεζηθικλμνξοπρστυφχψω', 1 + i % 10, 1 + i % 14) END,
    CASE i % 9 WHEN 0 THEN NULL WHEN 1 THEN '' WHEN 2 THEN E'gen\ttab ' || i WHEN 3 THEN E'gen\nnl ' || i
        WHEN 4 THEN 'gen \ back ' || i WHEN 5 THEN 'gén ünï 😀 ' || i ELSE 'gen ' || md5(i::text) END,
    upper(md5((i * 3)::text)),
    ('n' || i)::name,
    chr(65 + i % 26)::"char",
    CASE WHEN i % 10 = 0 THEN NULL ELSE decode(md5(i::text) || md5((-i)::text), 'hex') END,
    CASE i % 3 WHEN 0 THEN NULL WHEN 1 THEN true ELSE false END,
    date '2000-01-01' + (h % 20000)::integer - 10000,
    time '00:00' + make_interval(secs => (h % 86400000000) / 1e6),
    time '00:00' + make_interval(secs => (h % 86400000) / 1e3),
    (time '00:00' + make_interval(secs => (h % 86400))) ::timetz,
    timestamp '2000-01-01' + make_interval(secs => (h % 3000000000000000) / 1e6 - 1.5e9),
    timestamp '2000-01-01' + make_interval(secs => (h % 3000000000) - 1.5e9),
    CASE WHEN i % 7 = 0 THEN NULL ELSE timestamptz '2000-01-01 00:00:00+00' + make_interval(secs => (h % 3000000000000000) / 1e6 - 1.5e9) END,
    make_interval(years => (h % 50)::int - 25, months => (h % 13)::int, days => (h % 400)::int - 200, secs => (h % 100000000) / 1e6),
    make_interval(years => (h % 30)::int, months => (h % 12)::int),
    md5('uuid' || i)::uuid,
    ('10.' || (h % 256) || '.' || ((h / 256) % 256) || '.' || ((h / 65536) % 256) || '/' || (8 + i % 25))::inet,
    ('10.' || (h % 256) || '.0.0/16')::cidr,
    substr(regexp_replace(md5('mac' || i), '(..)', '\1:', 'g'), 1, 17)::macaddr,
    substr(regexp_replace(md5('mac8' || i), '(..)', '\1:', 'g'), 1, 23)::macaddr8,
    (h % 256)::integer::bit(8),
    substr(((h % 4294967296)::bigint)::bit(64)::text, 1, 1 + (i % 64))::bit varying(64),
    to_tsvector('english', 'generated row number ' || i || ' about ' || substr(md5(i::text), 1, 8)),
    to_tsquery('english', 'row & ' || (i % 100)),
    ('{"i": ' || i || ', "s": "' || md5(i::text) || '", "arr": [' || (h % 10) || ', null, true]}')::json,
    jsonb_build_object('i', i, 'f', (h % 1000) / 7.0, 'txt', 'é' || i, 'nested', jsonb_build_array(i, jsonb_build_object('k', i % 5))),
    ('$.a[' || (i % 10) || ']')::jsonpath,
    ('<row n="' || i || '">' || md5(i::text) || '</row>')::xml,
    point((h % 1000) / 10.0, -(h % 777) / 3.0),
    line(point(0, 0), point(1 + h % 10, 1 + h % 7)),
    lseg(point(0, 0), point(h % 100, i % 100)),
    box(point(0, 0), point(h % 100, i % 100)),
    path(polygon(box(point(0, 0), point(1 + h % 100, 1 + i % 100)))),
    polygon(box(point(i % 10, 0), point(20, 1 + h % 100))),
    circle(point(i % 100, h % 100), 1 + h % 50),
    int4range((h % 1000)::int, (h % 1000)::int + 1 + i % 100),
    int8range(h % 1000000, h % 1000000 + i),
    numrange((h % 1000) / 3.0, (h % 1000) / 3.0 + i, '(]'),
    tsrange(timestamp '2020-01-01' + make_interval(days => i), timestamp '2020-01-01' + make_interval(days => i + 1 + (h % 10)::int)),
    tstzrange(timestamptz '2020-01-01 00:00+00' + make_interval(hours => i), NULL),
    daterange(date '2020-01-01' + i % 1000, date '2020-01-01' + i % 1000 + 1 + (h % 30)::int),
    int4multirange(int4range(0, i % 50), int4range(100, 100 + i % 50)),
    int8multirange(int8range(h % 100, h % 100 + 10)),
    nummultirange(numrange(0, i / 7.0)),
    tsmultirange(tsrange(timestamp '2021-01-01', timestamp '2021-01-01' + make_interval(mins => i))),
    tstzmultirange(tstzrange(timestamptz '2021-01-01 00:00+00', timestamptz '2021-01-01 00:00+00' + make_interval(mins => i))),
    datemultirange(daterange(date '2021-01-01', date '2021-01-01' + i % 365)),
    CASE WHEN i % 6 = 0 THEN '{}' ELSE ARRAY[i, NULL, (h % 1000)::int] END,
    ARRAY['x' || i, CASE WHEN i % 4 = 0 THEN NULL ELSE 'q"' || i END, E'\\', ''],
    ARRAY[ARRAY[i, i + 1], ARRAY[(h % 100)::int, NULL]],
    ARRAY[(h % 1000) / 3.0, -0.0::float8, 1e-300],
    ARRAY[jsonb_build_object('i', i), 'null'::jsonb],
    (enum_range(NULL::mood))[1 + i % 7],
    ARRAY[(enum_range(NULL::mood))[1 + i % 7], (enum_range(NULL::mood))[1 + (i / 7) % 7]],
    1 + (h % 1000)::integer,
    lpad((h % 100000)::text, 5, '0'),
    ROW('street ' || i, (h % 1000)::int, date '2000-01-01' + i, ARRAY['t' || i % 3])::addr,
    ARRAY[ROW('s' || i, i, NULL, NULL)::addr],
    ((h % 65536)::text || '/' || upper(to_hex((h % 4294967296)::bigint)))::pg_lsn,
    (i || ':' || (i + 10) || ':' || (i + 2) || ',' || (i + 5))::txid_snapshot,
    (i || ':' || (i + 10) || ':' || (i + 2) || ',' || (i + 5))::pg_snapshot,
    (h % 4294967296)::bigint::text::oid,
    ((h % 4294967296)::bigint)::text::xid,
    (h % 9223372036854775807)::text::xid8,
    (i % 65536)::text::cid,
    ('(' || i || ',' || (i % 100) || ')')::tid,
    (ARRAY['pg_class', 'pg_type', 'pg_namespace'])[1 + i % 3]::regclass,
    (ARRAY['integer', 'text', 'timestamp with time zone', 'numeric[]'])[1 + i % 4]::regtype,
    (ARRAY['now', 'pg_backend_pid', 'version'])[1 + i % 3]::regproc,
    (ARRAY['sum(integer)', 'lower(text)', 'abs(numeric)'])[1 + i % 3]::regprocedure,
    (ARRAY['||/', '|/'])[1 + i % 2]::regoper,
    (ARRAY['+(integer,integer)', '-(bigint,bigint)', '||(text,text)'])[1 + i % 3]::regoperator,
    (ARRAY['pg_catalog', 'public', 'information_schema'])[1 + i % 3]::regnamespace,
    (ARRAY['pg_monitor', 'pg_read_all_data', 'pg_signal_backend'])[1 + i % 3]::regrole,
    (ARRAY['english', 'simple', 'french'])[1 + i % 3]::regconfig,
    (ARRAY['simple', 'english_stem'])[1 + i % 2]::regdictionary,
    (ARRAY['"C"', '"POSIX"', '"default"'])[1 + i % 3]::regcollation,
    ('cursor ' || i)::refcursor,
    (i % 100 || ' ' || (i % 7))::int2vector,
    ((h % 100000)::text || ' 25')::oidvector
FROM (SELECT i, hashint8extended(i, 42) & 9223372036854775807 AS h
        FROM generate_series(1001, 3000) AS i) AS g;

-- 50k rows, integer key with gaps; a dropped column and a column added with a default later.
CREATE TABLE int_pk (
    id integer PRIMARY KEY,
    grp smallint NOT NULL,
    obsolete text,
    label text,
    amount numeric(12, 2),
    created timestamptz NOT NULL,
    flag boolean,
    tags text[],
    doc jsonb,
    blob bytea
);
INSERT INTO int_pk (id, grp, obsolete, label, amount, created, flag, tags, doc, blob)
SELECT i, (i % 100)::smallint, 'to be dropped',
       CASE WHEN i % 97 = 0 THEN NULL
            WHEN i % 89 = 0 THEN E'tab\there ' || i
            WHEN i % 83 = 0 THEN E'line\nbreak ' || i
            WHEN i % 79 = 0 THEN 'back\slash ' || i
            WHEN i % 73 = 0 THEN 'ünïcödé 😀 ' || i
            WHEN i % 71 = 0 THEN ''
            ELSE 'row ' || i || ' ' || substr(md5(i::text), 1, 16) END,
       CASE WHEN i % 31 = 0 THEN NULL ELSE round(((h % 100000000) - 20000000) / 100.0, 2) END,
       timestamptz '2020-01-01 00:00:00+00' + make_interval(secs => i * 617.3),
       CASE WHEN i % 5 = 0 THEN NULL ELSE i % 2 = 0 END,
       CASE WHEN i % 11 = 0 THEN NULL WHEN i % 13 = 0 THEN '{}' ELSE ARRAY['t' || i % 7, 'g' || i % 3] END,
       CASE WHEN i % 9 = 0 THEN NULL ELSE jsonb_build_object('i', i, 'h', h % 1000, 'tag', 'x' || i % 17) END,
       CASE WHEN i % 4 = 0 THEN NULL ELSE decode(substr(md5(i::text), 1, 2 * (1 + i % 16)), 'hex') END
FROM (SELECT i, hashint8extended(i, 7) & 9223372036854775807 AS h
        FROM generate_series(1, 60000) AS i) AS g
WHERE h % 6 <> 0;
ALTER TABLE int_pk DROP COLUMN obsolete;
ALTER TABLE int_pk ADD COLUMN added_later integer NOT NULL DEFAULT 42;
INSERT INTO int_pk (id, grp, label, created, added_later)
SELECT 100000 + i, 0, 'after the new column ' || i, timestamptz '2024-01-01 00:00+00' + make_interval(mins => i), i
FROM generate_series(1, 100) AS i;

-- No key at all; fully identical rows on purpose (a copy must keep every one of them).
CREATE TABLE no_key (
    a integer,
    b text,
    c numeric,
    d timestamptz
);
INSERT INTO no_key
SELECT i / 3, 'dup group ' || (i / 3), (i / 3) * 1.5, timestamptz '2021-06-01 00:00+00' + make_interval(days => i / 3)
FROM generate_series(1, 4500) AS i;
INSERT INTO no_key SELECT NULL, NULL, NULL, NULL FROM generate_series(1, 25);
INSERT INTO no_key VALUES (-1, '', 0, NULL), (-1, '', 0, NULL), (-2, E'\\N', NULL, 'infinity');

-- Composite PK (integer, text): text that sorts differently under C and linguistic collations.
CREATE TABLE composite_pk (
    a integer NOT NULL,
    b text NOT NULL,
    v double precision,
    PRIMARY KEY (a, b)
);
INSERT INTO composite_pk
SELECT i % 50,
       (ARRAY['apple', 'Apple', 'APPLE', 'äpple', 'zebra', 'Zebra', '', ' ', '😀', 'é', 'e', 'E',
              'Z', '_under', '-dash', '10', '9', '100', 'ß', 'ss'])[1 + (i / 50) % 20] || (i / 50),
       (hashint8extended(i, 3) % 1000000) / 1000.0
FROM generate_series(0, 4999) AS i;
INSERT INTO composite_pk VALUES (-2147483648, '', NULL), (2147483647, repeat('z', 1000), 'NaN'),
    (0, '', 0), (0, ' ', '-0');

-- Text PK.
CREATE TABLE text_pk (
    k text PRIMARY KEY,
    v integer
);
INSERT INTO text_pk
SELECT 'key-' || lpad(i::text, 6, '0') || CASE i % 5 WHEN 0 THEN ' ünï' WHEN 1 THEN ' ÜNÏ' ELSE '' END, i
FROM generate_series(1, 5000) AS i;
INSERT INTO text_pk VALUES ('', -1), (' ', -2), ('a', -3), ('A', -4), ('ä', -5), ('Z', -6), ('z', -7),
    ('😀', -8), ('é', -9), (U&'e\0301', -10), (repeat('long key ', 220), -11), ('\N', -12),
    ('NULL', -13), (E'tab\tkey', -14), (E'line\nkey', -15), ('10', -16), ('9', -17), ('100', -18),
    ('key-', -19), ('key-000000', -20), ('~', -21), (U&'\+10ffff', -22), ('"quoted"', -23),
    ('''single''', -24), ('back\slash', -25);

-- UUID PK.
CREATE TABLE uuid_pk (
    id uuid PRIMARY KEY,
    n integer NOT NULL,
    note text
);
INSERT INTO uuid_pk
SELECT md5('uuid_pk' || i)::uuid, i, CASE WHEN i % 10 = 0 THEN NULL ELSE 'n' || i END
FROM generate_series(1, 5000) AS i;
INSERT INTO uuid_pk VALUES ('00000000-0000-0000-0000-000000000000', 0, 'nil'),
    ('ffffffff-ffff-ffff-ffff-ffffffffffff', -1, 'max');

-- Skewed bigint key: a dense block, a small far cluster, and lone outliers at the int8 limits.
CREATE TABLE skewed (
    id bigint PRIMARY KEY,
    payload text
);
INSERT INTO skewed SELECT i, 'dense ' || i FROM generate_series(1, 20000) AS i;
INSERT INTO skewed SELECT 5000000000000 + i, 'far cluster ' || i FROM generate_series(1, 100) AS i;
INSERT INTO skewed VALUES (-9223372036854775808, 'min'), (-1, 'minus one'), (0, 'zero'),
    (1000000000, '1e9'), (5000000000, '5e9'), (1000000000000, '1e12'),
    (1000000000000000, '1e15'), (9223372036854775806, 'max - 1'), (9223372036854775807, 'max');

-- Large values: out-of-line TOAST, compressed and not.
CREATE TABLE toasty (
    id integer PRIMARY KEY,
    body text,
    blob bytea,
    zbody text COMPRESSION lz4,
    doc jsonb
);
ALTER TABLE toasty ALTER COLUMN blob SET STORAGE EXTERNAL;
-- Each row repeats its own ~5 kB random block: pglz finds nothing within its 4 kB window, so
-- the values stay big and go out of line; lz4 (64 kB window) compresses zbody.
INSERT INTO toasty
SELECT i,
       CASE WHEN i % 50 = 0 THEN NULL ELSE substr(repeat(blk || ' ', sz / 5000 + 1), 1, sz) END,
       CASE WHEN i % 40 = 0 THEN NULL
            ELSE decode(substr(repeat(blk, 2 * sz / 5000 + 1), 1, 2 * sz), 'hex') END,
       CASE WHEN i % 3 = 0 THEN substr(repeat(blk, sz / 5000 + 1), 1, sz) END,
       CASE WHEN i % 5 = 0 THEN (SELECT jsonb_agg(jsonb_build_object('k', g, 'v', md5(g::text)))
                                   FROM generate_series(1, sz / 400) AS g) END
FROM (SELECT i, (20000 + (hashint8extended(i, 5) & 2147483647) % 180000)::integer AS sz,
             (SELECT string_agg(md5(i || ':' || g), '') FROM generate_series(1, 157) AS g) AS blk
        FROM generate_series(1, 200) AS i) AS g;

-- Quoted identifiers.
CREATE TABLE "Mixed Case" (
    "Id" integer PRIMARY KEY,
    "Name" text,
    "dot.col" integer,
    "with space" text,
    "select" integer,
    "UPPER" text,
    "quote""col" text
);
INSERT INTO "Mixed Case"
SELECT i, 'Name ' || i, i % 10, 'space ' || i, i * 2, upper(md5(i::text)), 'q"' || i
FROM generate_series(1, 1000) AS i;

CREATE TABLE "with space" (
    "key col" text PRIMARY KEY,
    "value col" integer
);
INSERT INTO "with space" SELECT 'k ' || i, i FROM generate_series(1, 300) AS i;

CREATE TABLE "dot.in.name" (
    id integer PRIMARY KEY,
    "a.b" text
);
INSERT INTO "dot.in.name" SELECT i, 'a.b.' || i FROM generate_series(1, 300) AS i;

CREATE TABLE "quote""d" (
    id integer PRIMARY KEY,
    "it's" text
);
INSERT INTO "quote""d" SELECT i, 'it''s ' || i FROM generate_series(1, 100) AS i;

CREATE TABLE "order" (
    "group" integer PRIMARY KEY,
    "from" text,
    "where" date
);
INSERT INTO "order" SELECT i, 'from ' || i, date '2022-01-01' + i FROM generate_series(1, 100) AS i;

CREATE TABLE "ünïcödé" (
    "ключ" integer PRIMARY KEY,
    "値" text
);
INSERT INTO "ünïcödé" SELECT i, '値 ' || i FROM generate_series(1, 100) AS i;

CREATE TABLE "Other Schema"."Mixed Case" (
    "Id" integer PRIMARY KEY,
    note text
);
INSERT INTO "Other Schema"."Mixed Case" SELECT i, 'other ' || i FROM generate_series(1, 500) AS i;

CREATE TABLE "Other Schema".plain (
    id integer,
    val text
);
INSERT INTO "Other Schema".plain SELECT i % 50, 'plain ' || i FROM generate_series(1, 200) AS i;

-- Partitioned by RANGE, with MINVALUE and DEFAULT partitions and one LIST sub-partitioned level.
CREATE TABLE part_range (
    id bigint NOT NULL,
    created date NOT NULL,
    kind text NOT NULL,
    amount numeric(10, 2),
    PRIMARY KEY (id, created, kind)
) PARTITION BY RANGE (created);
CREATE TABLE part_range_old PARTITION OF part_range FOR VALUES FROM (MINVALUE) TO ('2021-01-01');
CREATE TABLE part_range_2021 PARTITION OF part_range FOR VALUES FROM ('2021-01-01') TO ('2022-01-01');
CREATE TABLE part_range_2022 PARTITION OF part_range FOR VALUES FROM ('2022-01-01') TO ('2023-01-01')
    PARTITION BY LIST (kind);
CREATE TABLE part_range_2022_ab PARTITION OF part_range_2022 FOR VALUES IN ('a', 'b');
CREATE TABLE part_range_2022_other PARTITION OF part_range_2022 DEFAULT;
CREATE TABLE part_range_2023 PARTITION OF part_range FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE part_range_default PARTITION OF part_range DEFAULT;
INSERT INTO part_range
SELECT i, date '2020-06-01' + (i % 1500), (ARRAY['a', 'b', 'c', 'd'])[1 + i % 4], round(i / 7.0, 2)
FROM generate_series(1, 8000) AS i;
INSERT INTO part_range VALUES (-1, 'infinity', 'a', NULL), (-2, '-infinity', 'b', NULL),
    (-3, '0001-01-01 BC', 'z', 0);

-- Partitioned by LIST, with a NULL partition and a DEFAULT; no key anywhere.
CREATE TABLE part_list (
    region text,
    id integer,
    note text
) PARTITION BY LIST (region);
CREATE TABLE part_list_eu PARTITION OF part_list FOR VALUES IN ('eu', 'EU');
CREATE TABLE part_list_amer PARTITION OF part_list FOR VALUES IN ('us', 'ca', 'mx');
CREATE TABLE part_list_null PARTITION OF part_list FOR VALUES IN (NULL);
CREATE TABLE part_list_default PARTITION OF part_list DEFAULT;
INSERT INTO part_list
SELECT (ARRAY['eu', 'EU', 'us', 'ca', 'mx', NULL, 'apac', 'ünï', ''])[1 + i % 9], i, 'note ' || i
FROM generate_series(1, 3000) AS i;

-- Partitioned by HASH.
CREATE TABLE part_hash (
    id integer PRIMARY KEY,
    v text
) PARTITION BY HASH (id);
CREATE TABLE part_hash_0 PARTITION OF part_hash FOR VALUES WITH (MODULUS 4, REMAINDER 0);
CREATE TABLE part_hash_1 PARTITION OF part_hash FOR VALUES WITH (MODULUS 4, REMAINDER 1);
CREATE TABLE part_hash_2 PARTITION OF part_hash FOR VALUES WITH (MODULUS 4, REMAINDER 2);
CREATE TABLE part_hash_3 PARTITION OF part_hash FOR VALUES WITH (MODULUS 4, REMAINDER 3);
INSERT INTO part_hash SELECT i, 'h' || i FROM generate_series(1, 4000) AS i;

-- Classic inheritance: SELECT * FROM inh_parent also returns inh_child's rows.
CREATE TABLE inh_parent (
    id integer PRIMARY KEY,
    note text
);
CREATE TABLE inh_child (
    extra integer
) INHERITS (inh_parent);
ALTER TABLE inh_child ADD PRIMARY KEY (id);
INSERT INTO inh_parent SELECT i, 'parent ' || i FROM generate_series(1, 500) AS i;
INSERT INTO inh_child SELECT i, 'child ' || i, i * 10 FROM generate_series(501, 800) AS i;

COMMIT;

ANALYZE;
