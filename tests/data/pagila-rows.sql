--
-- pagila-rows.sql - deterministic rows for the pagila schema (../shared/testdata/
-- pagila-schema-pg15.sql, loaded first into an empty database).
--
--   psql -X -v ON_ERROR_STOP=1 -v scale=1 -d DB -f tests/data/pagila-rows.sql
--   (or: pgc_load_pagila CLUSTER DB SCALE, which loads the schema too)
--
-- Rows per scale S (scale 1: ~120k rows, 36 MB on disk with indexes, 13 MB of table data;
-- scale 20: 2.4M rows, ~440 MB on disk, ~210 MB of table data):
--   language 6, category 16, country 100, city 600          (fixed)
--   store 2S, staff 4S, customer 3000S, address 3000S+6S+100
--   actor 200S, film 1000S, film_actor ~5.5/film, film_category 1-2/film, film_embedding
--   ~90% of films, inventory ~4.4/film, rental 50000S, payment ~0.99/rental
-- Every value is a function of its row number (hashint8extended, md5): two loads at the same
-- scale are identical, whatever the cluster. Dates and timestamps are UTC constants, so no
-- column gets now() or a random uuid from its default.
--
-- What it exercises: all 55 monthly payment partitions (2022-01 .. 2026-07) get rows; NULLs in
-- every nullable column (address2, postal_code, email, active, original_language_id, length,
-- rating, special_features, return_date, password, picture); '' next to NULL (address2,
-- special_features '{}'); non-ASCII and quotes in names, cities and countries; TOASTed values
-- (staff.picture: 30-80 kB random bytea; film.description: 12-40 kB for one film in 200,
-- and its tsvector); arrays (special_features text[], film_embedding real[]); the enum and
-- the year domain (1901..2155, both ends used); the generated column film.length_hours; the
-- film_fulltext_trigger (fills film.fulltext).
--
-- Empty on purpose: the materialized view rental_by_category (WITH NO DATA in the schema; it
-- is no table) and the partitioned parent payment itself (its rows live in its partitions).
--
-- Speed: the bulk tables load with session_replication_role = replica, which skips foreign
-- key triggers; every foreign key of the schema is then checked at the end with one anti-join
-- each, so a violation still fails the load. film loads with triggers on (fulltext).
--
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SET search_path = public, pg_catalog;
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';
SET synchronous_commit = off;
SET work_mem = '128MB';
SET maintenance_work_mem = '256MB';

\if :{?scale}
\else
\set scale 1
\endif

CREATE FUNCTION pg_temp.check_scale(s text) RETURNS integer LANGUAGE plpgsql AS $$
BEGIN
    IF s !~ '^[1-9][0-9]{0,5}$' THEN
        RAISE EXCEPTION 'pagila-rows.sql: scale must be an integer from 1 to 999999, not "%"', s;
    END IF;
    RETURN s::integer;
END $$;
SELECT pg_temp.check_scale(:'scale') AS scale \gset

-- h: a deterministic 63-bit hash of (i, salt); pick: 1..n from it; uid: a uuid from it.
CREATE FUNCTION pg_temp.h(i bigint, salt integer) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS 'SELECT hashint8extended(i, salt) & 9223372036854775807';
CREATE FUNCTION pg_temp.pick(i bigint, salt integer, n bigint) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS 'SELECT ((hashint8extended(i, salt) & 9223372036854775807) % n)::integer + 1';
CREATE FUNCTION pg_temp.uid(kind text, i bigint) RETURNS uuid
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS 'SELECT md5(kind || '':'' || i)::uuid';
-- n pseudo-random bytes (incompressible, so TOAST stores them out of line).
CREATE FUNCTION pg_temp.noise(i bigint, n integer) RETURNS bytea
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS 'SELECT substr(decode(string_agg(md5(i || ''/'' || g), '''' ORDER BY g), ''hex''), 1, n)
          FROM generate_series(1, (n + 15) / 16) AS g';

SELECT 2 * :scale AS n_store,
       4 * :scale AS n_staff,
       3000 * :scale AS n_customer,
       200 * :scale AS n_actor,
       1000 * :scale AS n_film,
       50000 * :scale AS n_rental,
       600 AS n_city \gset
-- Addresses: stores first, then staff, then customers, then 100 nobody lives at.
SELECT :n_store + :n_staff + :n_customer + 100 AS n_address,
       :n_store AS staff_addr0,
       :n_store + :n_staff AS cust_addr0,
       -- rentals are spread over 2022-01-01 .. 2026-07-25 UTC, each its own second
       greatest(1, (extract(epoch FROM timestamptz '2026-07-25 00:00:00+00')
                  - extract(epoch FROM timestamptz '2022-01-01 00:00:00+00'))::bigint / :n_rental) AS rental_step
\gset

BEGIN;

CREATE TEMP TABLE w_first (n integer PRIMARY KEY, v text NOT NULL) ON COMMIT DROP;
INSERT INTO w_first SELECT n, v FROM unnest(ARRAY[
    'MARY', 'PATRICIA', 'LINDA', 'BARBARA', 'ELIZABETH', 'JENNIFER', 'MARIA', 'SUSAN', 'MARGARET',
    'DOROTHY', 'LISA', 'NANCY', 'KAREN', 'BETTY', 'HELEN', 'SANDRA', 'DONNA', 'CAROL', 'JAMES',
    'JOHN', 'ROBERT', 'MICHAEL', 'WILLIAM', 'DAVID', 'RICHARD', 'CHARLES', 'JOSEPH', 'THOMAS',
    'JOSÉ', 'FRANÇOIS', 'ZOË', 'BJÖRK', 'SØREN', 'ŁUKASZ', 'RENÉE', 'NIÑO', 'ÅSA', 'JÜRGEN',
    'DMITRI', 'ДМИТРИЙ', 'ΕΛΕΝΗ', 'さくら', '明', 'MARY-JANE', 'JEAN PAUL', 'D''ARCY', 'NGỌC',
    'ŞEBNEM', 'IÑAKI', 'ØYVIND']) WITH ORDINALITY AS u(v, n);

CREATE TEMP TABLE w_last (n integer PRIMARY KEY, v text NOT NULL) ON COMMIT DROP;
INSERT INTO w_last SELECT n, v FROM unnest(ARRAY[
    'SMITH', 'JOHNSON', 'WILLIAMS', 'JONES', 'BROWN', 'DAVIS', 'MILLER', 'WILSON', 'MOORE',
    'TAYLOR', 'ANDERSON', 'THOMAS', 'JACKSON', 'WHITE', 'HARRIS', 'MARTIN', 'THOMPSON', 'GARCIA',
    'MARTINEZ', 'ROBINSON', 'O''BRIEN', 'O''NEIL', 'VAN DER BERG', 'DE LA CRUZ', 'MÜLLER',
    'GARCÍA', 'NÚÑEZ', 'ØSTERGÅRD', 'ŻÓŁKIEWSKI', 'DVOŘÁK', 'KOVÁČ', 'YILMAZ', 'ÇELIK', 'NGUYỄN',
    'ИВАНОВ', 'ΠΑΠΑΔΟΠΟΥΛΟΣ', '山田', '김', 'SMITH-JONES', 'MCDONALD', 'FITZGERALD', 'LÉVESQUE']) WITH ORDINALITY AS u(v, n);

CREATE TEMP TABLE w_adj (n integer PRIMARY KEY, v text NOT NULL) ON COMMIT DROP;
INSERT INTO w_adj SELECT n, v FROM unnest(ARRAY[
    'ACADEMY', 'ACE', 'ADAPTATION', 'AFFAIR', 'AFRICAN', 'AGENT', 'AIRPLANE', 'ALABAMA', 'ALADDIN',
    'ALAMO', 'ALASKA', 'ALI', 'ALONE', 'AMADEUS', 'AMELIE', 'AMERICAN', 'ANACONDA', 'ANGELS',
    'ANNIE', 'ANTHEM', 'APACHE', 'APOCALYPSE', 'ARABIA', 'ARMAGEDDON', 'ATLANTIS', 'BABY',
    'BALLOON', 'BANG', 'BEACH', 'BEAR', 'BEAUTY', 'BIRDS', 'BLADE', 'BLUES', 'CÉZANNE', 'FJÖRD',
    'NIÑA', 'ŻUBR']) WITH ORDINALITY AS u(v, n);

CREATE TEMP TABLE w_noun (n integer PRIMARY KEY, v text NOT NULL) ON COMMIT DROP;
INSERT INTO w_noun SELECT n, v FROM unnest(ARRAY[
    'DINOSAUR', 'GOLDFINGER', 'SUGAR', 'PREJUDICE', 'EGG', 'TRUMAN', 'SIEGE', 'EXORCIST',
    'CALENDAR', 'CLYDE', 'BAKED', 'DUCK', 'TRIP', 'HOLES', 'ORIENT', 'CIRCUS', 'CONFESSIONS',
    'LAWRENCE', 'DETECTIVE', 'MUMMY', 'DIVORCE', 'LOST', 'BRIDE', 'INFORMER', 'HOOK', 'FLINTSTONES',
    'HALLOWEEN', 'LAMBS', 'MIDNIGHT', 'STORY', 'TEXAS', 'WORLD', 'ANTITRUST', 'SQUAD', 'KRÄMER',
    'MÅNE']) WITH ORDINALITY AS u(v, n);

CREATE TEMP TABLE w_desc (n integer PRIMARY KEY, v text NOT NULL) ON COMMIT DROP;
INSERT INTO w_desc SELECT n, v FROM unnest(ARRAY[
    'Epic', 'Astounding', 'Fanciful', 'Thrilling', 'Touching', 'Brilliant', 'Boring', 'Emotional',
    'Intrepid', 'Lacklusture', 'Stunning', 'Insightful', 'Taut', 'Fast-Paced', 'Unbelieveable',
    'Action-Packed', 'Amazing', 'Awe-Inspiring', 'Beautiful', 'Charming']) WITH ORDINALITY AS u(v, n);

CREATE TEMP TABLE w_thing (n integer PRIMARY KEY, v text NOT NULL) ON COMMIT DROP;
INSERT INTO w_thing SELECT n, v FROM unnest(ARRAY[
    'Drama', 'Documentary', 'Story', 'Saga', 'Reflection', 'Display', 'Panorama', 'Tale',
    'Character Study', 'Yarn']) WITH ORDINALITY AS u(v, n);

CREATE TEMP TABLE w_who (n integer PRIMARY KEY, v text NOT NULL) ON COMMIT DROP;
INSERT INTO w_who SELECT n, v FROM unnest(ARRAY[
    'Feminist', 'Dentist', 'Pioneer', 'Monkey', 'Moose', 'Boy', 'Girl', 'Squirrel', 'Lumberjack',
    'Astronaut', 'Robot', 'Mad Scientist', 'Database Administrator', 'Explorer', 'Technical Writer',
    'Frisbee', 'Crocodile', 'Cat', 'Dog', 'Waitress', 'Hunter', 'Teacher', 'Composer', 'Sumo Wrestler']) WITH ORDINALITY AS u(v, n);

CREATE TEMP TABLE w_verb (n integer PRIMARY KEY, v text NOT NULL) ON COMMIT DROP;
INSERT INTO w_verb SELECT n, v FROM unnest(ARRAY[
    'Chase', 'Find', 'Defeat', 'Outgun', 'Outrace', 'Build', 'Sink', 'Battle', 'Kill', 'Face',
    'Meet', 'Overcome', 'Pursue', 'Reach', 'Succumb', 'Vanquish', 'Redeem', 'Fight', 'Discover',
    'Confront']) WITH ORDINALITY AS u(v, n);

CREATE TEMP TABLE w_place (n integer PRIMARY KEY, v text NOT NULL) ON COMMIT DROP;
INSERT INTO w_place SELECT n, v FROM unnest(ARRAY[
    'in Ancient China', 'in The Gulf of Mexico', 'in A Baloon', 'in A Shark Tank', 'in Nigeria',
    'in The Outback', 'in Berlin', 'in A Manhattan Penthouse', 'in The Canadian Rockies',
    'in A MySQL Convention', 'at The Moon', 'in A U-Boat', 'in Soviet Georgia', 'in An Abandoned Fun House',
    'in A Jet Boat', 'in Ancient India', 'in The First Manned Space Station', 'in A Monastery',
    'at A Café in Zürich', 'in Reykjavík']) WITH ORDINALITY AS u(v, n);

CREATE TEMP TABLE w_street (n integer PRIMARY KEY, v text NOT NULL) ON COMMIT DROP;
INSERT INTO w_street SELECT n, v FROM unnest(ARRAY[
    'Main Street', 'Oak Avenue', 'MySakila Drive', 'Elm Road', 'Rue de la Paix', 'Königsallee',
    'Calle Mayor', 'Nørrebrogade', 'Via Roma', 'Ulica Długa', 'Avenida Paulista', 'High Street',
    'Baker Street', 'Sunset Boulevard', 'Abbey Road', 'Straße des 17. Juni', 'Champs-Élysées',
    'Mannerheimintie', 'Çiçek Sokak', 'Nevsky Prospekt']) WITH ORDINALITY AS u(v, n);

CREATE TEMP TABLE w_district (n integer PRIMARY KEY, v text NOT NULL) ON COMMIT DROP;
INSERT INTO w_district SELECT n, v FROM unnest(ARRAY[
    'Alberta', 'QLD', 'Nagasaki', 'California', 'Attika', 'Mandalay', 'Nantou', 'Texas',
    'Central Serbia', 'Hamilton', 'Île-de-France', 'Bayern', 'Skåne', 'Mazowieckie', 'Andalucía',
    'Kyōto', 'São Paulo', 'Ontario', 'Gauteng', 'Punjab']) WITH ORDINALITY AS u(v, n);

CREATE TEMP TABLE w_city1 (n integer PRIMARY KEY, v text NOT NULL) ON COMMIT DROP;
INSERT INTO w_city1 SELECT n, v FROM unnest(ARRAY[
    'San', 'Nor', 'Kö', 'Ber', 'São ', 'Ála', 'Øst', 'Lon', 'Ma', 'Tok', 'Kra', 'Zü', 'Du',
    'Na', 'Ri', 'Ço', 'Al', 'Bu', 'Ka', 'Le', 'Mo', 'Port ', 'Saint-', 'Nueva ', 'Ös', 'Ha']) WITH ORDINALITY AS u(v, n);

CREATE TEMP TABLE w_city2 (n integer PRIMARY KEY, v text NOT NULL) ON COMMIT DROP;
INSERT INTO w_city2 SELECT n, v FROM unnest(ARRAY[
    'ville', 'berg', 'burg', 'polis', 'ków', 'rich', 'dal', 'ena', 'ton', 'grad', 'hama',
    'pur', 'ío', 'ingen', 'abad', 'stad', 'haven', 'nes', 'água', 'øy', 'ford', 'mouth', 'lis']) WITH ORDINALITY AS u(v, n);

SELECT (SELECT count(*) FROM w_first) AS nw_first, (SELECT count(*) FROM w_last) AS nw_last,
       (SELECT count(*) FROM w_adj) AS nw_adj, (SELECT count(*) FROM w_noun) AS nw_noun,
       (SELECT count(*) FROM w_desc) AS nw_desc, (SELECT count(*) FROM w_thing) AS nw_thing,
       (SELECT count(*) FROM w_who) AS nw_who, (SELECT count(*) FROM w_verb) AS nw_verb,
       (SELECT count(*) FROM w_place) AS nw_place, (SELECT count(*) FROM w_street) AS nw_street,
       (SELECT count(*) FROM w_district) AS nw_district, (SELECT count(*) FROM w_city1) AS nw_city1,
       (SELECT count(*) FROM w_city2) AS nw_city2 \gset

SET LOCAL session_replication_role = replica;

INSERT INTO language (language_id, name, last_update)
SELECT n, v, timestamptz '2022-02-15 10:02:19+00'
FROM unnest(ARRAY['English', 'Italian', 'Japanese', 'Mandarin', 'French', 'German']) WITH ORDINALITY AS u(v, n);

INSERT INTO category (category_id, name, last_update)
SELECT n, v, timestamptz '2022-02-15 09:46:27+00'
FROM unnest(ARRAY['Action', 'Animation', 'Children', 'Classics', 'Comedy', 'Documentary', 'Drama',
    'Family', 'Foreign', 'Games', 'Horror', 'Music', 'New', 'Sci-Fi', 'Sports', 'Travel']) WITH ORDINALITY AS u(v, n);

INSERT INTO country (country_id, country, last_update)
SELECT n, v, timestamptz '2022-02-15 09:44:00+00'
FROM unnest(ARRAY['Afghanistan', 'Algeria', 'American Samoa', 'Angola', 'Anguilla', 'Argentina',
    'Armenia', 'Australia', 'Austria', 'Azerbaijan', 'Bahrain', 'Bangladesh', 'Belarus', 'Bolivia',
    'Brazil', 'Brunei', 'Bulgaria', 'Cambodia', 'Cameroon', 'Canada', 'Chad', 'Chile', 'China',
    'Colombia', 'Congo, The Democratic Republic of the', 'Côte d’Ivoire', 'Czech Republic',
    'Dominican Republic', 'Ecuador', 'Egypt', 'Estonia', 'Ethiopia', 'Faroe Islands', 'Finland',
    'France', 'French Guiana', 'French Polynesia', 'Gambia', 'Germany', 'Greece', 'Greenland',
    'Holy See (Vatican City State)', 'Hong Kong', 'Hungary', 'India', 'Indonesia', 'Iran', 'Iraq',
    'Israel', 'Italy', 'Japan', 'Kazakstan', 'Kenya', 'Kuwait', 'Latvia', 'Liechtenstein',
    'Lithuania', 'Madagascar', 'Malawi', 'Malaysia', 'Mexico', 'Moldova', 'Morocco', 'Mozambique',
    'Myanmar', 'Nauru', 'Nepal', 'Netherlands', 'New Zealand', 'Nigeria', 'North Korea', 'Oman',
    'Pakistan', 'Paraguay', 'Peru', 'Philippines', 'Poland', 'Puerto Rico', 'Romania', 'Réunion',
    'Russian Federation', 'Saint Vincent and the Grenadines', 'Saudi Arabia', 'Senegal',
    'Slovakia', 'South Africa', 'South Korea', 'Spain', 'Sri Lanka', 'Sudan', 'Sweden',
    'Switzerland', 'Taiwan', 'Tanzania', 'Thailand', 'Tonga', 'Tunisia', 'Türkiye', 'Turkmenistan',
    'Tuvalu']) WITH ORDINALITY AS u(v, n);
SELECT count(*) AS n_country FROM country \gset

INSERT INTO city (city_id, city, country_id, last_update)
SELECT c, a.v || b.v || CASE WHEN c > 500 THEN ' ' || (c - 500) ELSE '' END,
       pg_temp.pick(c, 1, :n_country), timestamptz '2022-02-15 09:45:25+00'
FROM generate_series(1, :n_city) AS c
JOIN w_city1 a ON a.n = pg_temp.pick(c, 2, :nw_city1)
JOIN w_city2 b ON b.n = pg_temp.pick(c, 3, :nw_city2);

INSERT INTO address (address_id, address, address2, district, city_id, postal_code, phone, last_update)
SELECT a,
       pg_temp.pick(a, 10, 1999) || ' ' || s.v,
       CASE WHEN pg_temp.pick(a, 11, 100) <= 70 THEN NULL
            WHEN pg_temp.pick(a, 11, 100) <= 85 THEN ''
            ELSE 'Apt. ' || pg_temp.pick(a, 12, 500) END,
       d.v,
       pg_temp.pick(a, 13, :n_city),
       CASE WHEN pg_temp.pick(a, 14, 100) <= 5 THEN NULL
            ELSE lpad((pg_temp.h(a, 15) % 100000)::text, 5, '0') END,
       CASE WHEN pg_temp.pick(a, 16, 100) <= 3 THEN ''
            ELSE (pg_temp.h(a, 17) % 900000000000 + 100000000000)::text END,
       timestamptz '2022-02-15 09:45:30+00'
FROM generate_series(1, :n_address) AS a
JOIN w_street s ON s.n = pg_temp.pick(a, 18, :nw_street)
JOIN w_district d ON d.n = pg_temp.pick(a, 19, :nw_district);

-- Store i is managed by staff 2i-1; staff 2i-1 and 2i work there.
INSERT INTO store (store_id, manager_staff_id, address_id, last_update)
SELECT s, 2 * s - 1, s, timestamptz '2022-02-15 09:57:12+00'
FROM generate_series(1, :n_store) AS s;

INSERT INTO staff (staff_id, first_name, last_name, address_id, email, store_id, active, username,
                   password, last_update, picture)
SELECT st, f.v, l.v, :staff_addr0 + st,
       CASE WHEN st % 4 = 0 THEN NULL
            ELSE 'staff' || st || '@sakilastaff.example.com' END,
       (st + 1) / 2,
       st % 7 <> 0,
       'staff_' || st,
       CASE WHEN st % 3 = 0 THEN NULL ELSE encode(sha256(convert_to('pw' || st, 'UTF8')), 'hex') END,
       timestamptz '2022-02-15 09:57:16+00',
       CASE WHEN st % 4 = 3 THEN NULL
            ELSE pg_temp.noise(st, 30000 + pg_temp.pick(st, 20, 50000)) END
FROM generate_series(1, :n_staff) AS st
JOIN w_first f ON f.n = pg_temp.pick(st, 21, :nw_first)
JOIN w_last l ON l.n = pg_temp.pick(st, 22, :nw_last);

INSERT INTO customer (customer_id, store_id, first_name, last_name, email, address_id, activebool,
                      create_date, last_update, active, uuid)
SELECT c, pg_temp.pick(c, 30, :n_store), f.v, l.v,
       CASE WHEN pg_temp.pick(c, 31, 100) <= 5 THEN NULL
            ELSE lower(replace(f.v || '.' || l.v, ' ', '')) || c || '@sakilacustomer.example.org' END,
       :cust_addr0 + c,
       pg_temp.pick(c, 32, 100) > 3,
       date '2022-02-14' + pg_temp.pick(c, 33, 60),
       timestamptz '2022-02-15 09:57:20+00',
       CASE pg_temp.pick(c, 34, 20) WHEN 1 THEN NULL WHEN 2 THEN 0 ELSE 1 END,
       pg_temp.uid('customer', c)
FROM generate_series(1, :n_customer) AS c
JOIN w_first f ON f.n = pg_temp.pick(c, 35, :nw_first)
JOIN w_last l ON l.n = pg_temp.pick(c, 36, :nw_last);

INSERT INTO actor (actor_id, first_name, last_name, last_update)
SELECT a, f.v, l.v, timestamptz '2022-02-15 09:34:33+00'
FROM generate_series(1, :n_actor) AS a
JOIN w_first f ON f.n = pg_temp.pick(a, 40, :nw_first)
JOIN w_last l ON l.n = pg_temp.pick(a, 41, :nw_last);

-- film: triggers on (film_fulltext_trigger computes fulltext).
SET LOCAL session_replication_role = origin;
INSERT INTO film (film_id, title, description, release_year, language_id, original_language_id,
                  rental_duration, rental_rate, length, replacement_cost, rating, last_update,
                  special_features)
SELECT f,
       a.v || ' ' || n.v,
       CASE WHEN pg_temp.pick(f, 50, 50) = 1 THEN NULL
            ELSE 'A ' || d.v || ' ' || t.v || ' of a ' || w1.v || ' And a ' || w2.v
                 || ' who must ' || vb.v || ' a ' || w3.v || ' ' || p.v
                 || CASE WHEN f % 200 = 7
                         THEN ' ' || (SELECT string_agg(md5(f || '-' || g), ' ' ORDER BY g)
                                        FROM generate_series(1, 360 + pg_temp.pick(f, 51, 840)) AS g)
                         ELSE '' END END,
       CASE f % 97 WHEN 0 THEN NULL WHEN 1 THEN 1901 WHEN 2 THEN 2155
            ELSE 1980 + pg_temp.pick(f, 52, 45) END,
       pg_temp.pick(f, 53, 6),
       CASE WHEN pg_temp.pick(f, 54, 10) <= 8 THEN NULL ELSE pg_temp.pick(f, 55, 6) END,
       2 + pg_temp.pick(f, 56, 5),
       (ARRAY[0.99, 2.99, 4.99])[pg_temp.pick(f, 57, 3)],
       CASE WHEN pg_temp.pick(f, 58, 100) <= 2 THEN NULL ELSE 45 + pg_temp.pick(f, 59, 140) END,
       8.99 + pg_temp.pick(f, 60, 21),
       CASE WHEN pg_temp.pick(f, 61, 50) = 1 THEN NULL
            ELSE (enum_range(NULL::mpaa_rating))[pg_temp.pick(f, 62, 5)] END,
       timestamptz '2022-02-15 10:03:42+00',
       CASE pg_temp.pick(f, 63, 20) WHEN 1 THEN NULL WHEN 2 THEN '{}'::text[]
            ELSE ARRAY(SELECT x FROM unnest(ARRAY['Trailers', 'Commentaries', 'Deleted Scenes',
                                                  'Behind the Scenes']) WITH ORDINALITY AS u(x, k)
                       WHERE (pg_temp.h(f, 64) >> k::integer) & 1 = 1 ORDER BY k) END
FROM generate_series(1, :n_film) AS f
JOIN w_adj a ON a.n = pg_temp.pick(f, 65, :nw_adj)
JOIN w_noun n ON n.n = pg_temp.pick(f, 66, :nw_noun)
JOIN w_desc d ON d.n = pg_temp.pick(f, 67, :nw_desc)
JOIN w_thing t ON t.n = pg_temp.pick(f, 68, :nw_thing)
JOIN w_who w1 ON w1.n = pg_temp.pick(f, 69, :nw_who)
JOIN w_who w2 ON w2.n = pg_temp.pick(f, 70, :nw_who)
JOIN w_who w3 ON w3.n = pg_temp.pick(f, 71, :nw_who)
JOIN w_verb vb ON vb.n = pg_temp.pick(f, 72, :nw_verb)
JOIN w_place p ON p.n = pg_temp.pick(f, 73, :nw_place);
SET LOCAL session_replication_role = replica;

-- 3..8 distinct actors per film (17 * j < n_actor keeps them distinct).
INSERT INTO film_actor (actor_id, film_id, last_update)
SELECT ((f * 131 + j * 17) % :n_actor) + 1, f, timestamptz '2022-02-15 10:05:03+00'
FROM generate_series(1, :n_film) AS f,
     LATERAL generate_series(0, 2 + pg_temp.pick(f, 80, 6) - 1) AS j;

-- 1 or 2 categories per film.
INSERT INTO film_category (film_id, category_id, last_update)
SELECT f, c, timestamptz '2022-02-15 10:07:09+00'
FROM generate_series(1, :n_film) AS f,
     LATERAL (SELECT pg_temp.pick(f, 81, 16) AS c
              UNION ALL
              SELECT pg_temp.pick(f, 81, 16) % 16 + 1 WHERE f % 3 = 0) AS cc;

-- A 64-dimension embedding for ~90% of the films.
INSERT INTO film_embedding (film_id, embedding, last_update)
SELECT f,
       ARRAY(SELECT ((pg_temp.h(f * 64 + d, 82) % 20001 - 10000) / 10000.0)::real
               FROM generate_series(0, 63) AS d ORDER BY d),
       timestamptz '2022-02-15 10:08:00+00'
FROM generate_series(1, :n_film) AS f
WHERE pg_temp.pick(f, 83, 10) <> 1;

-- 3..7 copies of a film, none for one film in 23.
INSERT INTO inventory (inventory_id, film_id, store_id, last_update)
SELECT row_number() OVER (ORDER BY f, k), f, pg_temp.pick(f * 10 + k, 90, :n_store),
       timestamptz '2022-02-15 10:09:17+00'
FROM generate_series(1, :n_film) AS f,
     LATERAL generate_series(1, CASE WHEN f % 23 = 0 THEN 0 ELSE 2 + pg_temp.pick(f, 91, 5) END) AS k;
SELECT count(*) AS n_inventory FROM inventory \gset

-- Rentals in time order, each in its own second; 2% not returned yet.
INSERT INTO rental (rental_id, rental_date, inventory_id, customer_id, return_date, staff_id,
                    last_update, uuid)
SELECT r, rd,
       pg_temp.pick(r, 100, :n_inventory),
       pg_temp.pick(r, 101, :n_customer),
       CASE WHEN pg_temp.pick(r, 102, 100) <= 2 THEN NULL
            ELSE rd + make_interval(hours => pg_temp.pick(r, 103, 240)) END,
       pg_temp.pick(r, 104, :n_staff),
       rd + interval '1 minute',
       pg_temp.uid('rental', r)
FROM (SELECT r, timestamptz '2022-01-01 00:00:00+00'
                + make_interval(secs => (r - 1) * :rental_step + pg_temp.h(r, 105) % :rental_step) AS rd
        FROM generate_series(1, :n_rental) AS r) AS s;

-- One payment for most rentals, none for 3%, two for 3%; a few hours after the rental, so
-- within 2022-01 .. 2026-07 (the partitions).
INSERT INTO payment (payment_id, customer_id, staff_id, rental_id, amount, payment_date, uuid)
SELECT row_number() OVER (ORDER BY r.rental_id, k),
       r.customer_id,
       pg_temp.pick(r.rental_id * 2 + k, 110, :n_staff),
       r.rental_id,
       CASE WHEN pg_temp.pick(r.rental_id * 2 + k, 111, 100) = 1 THEN 0.00
            ELSE pg_temp.pick(r.rental_id * 2 + k, 112, 12) - 0.01 END,
       least(r.rental_date + make_interval(mins => pg_temp.pick(r.rental_id * 2 + k, 113, 4320)),
             timestamptz '2026-07-31 23:59:59+00'),
       pg_temp.uid('payment', r.rental_id * 2 + k)
FROM rental AS r,
     LATERAL generate_series(1, CASE pg_temp.pick(r.rental_id, 114, 100) WHEN 1 THEN 0 WHEN 2 THEN 0
                                     WHEN 3 THEN 0 WHEN 4 THEN 2 WHEN 5 THEN 2 WHEN 6 THEN 2
                                     ELSE 1 END) AS k;

SET LOCAL session_replication_role = origin;

-- Every foreign key in the schema, checked once (the load skipped the per-row checks).
DO $$
DECLARE
    fk record;
    broken boolean;
BEGIN
    FOR fk IN
        SELECT c.conname, c.conrelid::regclass AS child, c.confrelid::regclass AS parent,
               (SELECT string_agg(format('c.%I', a.attname), ', ' ORDER BY k.n)
                  FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, n)
                  JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum) AS ccols,
               (SELECT string_agg(format('p.%I', a.attname), ', ' ORDER BY k.n)
                  FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, n)
                  JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum) AS pcols
          FROM pg_constraint c
         WHERE c.contype = 'f' AND c.conparentid = 0
           AND c.connamespace = 'public'::regnamespace
    LOOP
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s c WHERE ROW(%s) IS NOT NULL AND NOT EXISTS '
                       '(SELECT 1 FROM %s p WHERE ROW(%s) = ROW(%s)))',
                       fk.child, fk.ccols, fk.parent, fk.pcols, fk.ccols)
            INTO broken;
        IF broken THEN
            RAISE EXCEPTION 'pagila-rows.sql: rows of % break foreign key %', fk.child, fk.conname;
        END IF;
    END LOOP;
END $$;

-- Sequences past the rows, as after a real load.
DO $$
BEGIN
    PERFORM setval('actor_actor_id_seq', (SELECT max(actor_id) FROM actor));
    PERFORM setval('address_address_id_seq', (SELECT max(address_id) FROM address));
    PERFORM setval('category_category_id_seq', (SELECT max(category_id) FROM category));
    PERFORM setval('city_city_id_seq', (SELECT max(city_id) FROM city));
    PERFORM setval('country_country_id_seq', (SELECT max(country_id) FROM country));
    PERFORM setval('customer_customer_id_seq', (SELECT max(customer_id) FROM customer));
    PERFORM setval('film_film_id_seq', (SELECT max(film_id) FROM film));
    PERFORM setval('inventory_inventory_id_seq', (SELECT max(inventory_id) FROM inventory));
    PERFORM setval('language_language_id_seq', (SELECT max(language_id) FROM language));
    PERFORM setval('payment_payment_id_seq', (SELECT max(payment_id) FROM payment));
    PERFORM setval('rental_rental_id_seq', (SELECT max(rental_id) FROM rental));
    PERFORM setval('staff_staff_id_seq', (SELECT max(staff_id) FROM staff));
    PERFORM setval('store_store_id_seq', (SELECT max(store_id) FROM store));
END $$;

COMMIT;

-- Hint bits, visibility map and statistics now, not during the first copy.
VACUUM (ANALYZE);
