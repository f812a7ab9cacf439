// Package sql is the "sql" check type: it connects to PostgreSQL,
// MySQL/MariaDB or Oracle, runs a read-only query or one of the built-in
// catalogue queries, and reports what it read as placeholders.
//
//	checks:
//	  - name: exchange-db-tablespace
//	    type: sql
//	    driver: oracle
//	    dsn: ${EXCHANGE_DB_DSN}
//	    builtin: tablespace
//	    conditions: ["[MAX_USED_PCT] < 85"]
//
// # Parameters
//
//	driver       postgres (alias postgresql) | mysql (alias mariadb) | oracle
//	dsn          postgres://user:pass@host:5432/db?sslmode=disable, or "host=… user=… dbname=…"
//	             user:pass@tcp(host:3306)/db        (go-sql-driver/mysql format)
//	             oracle://user:pass@host:1521/service  (go-ora URL format)
//	builtin      tablespace | temp | dbsize | connections | compare | query (default when query is set)
//	query        one SELECT, WITH or SHOW statement (query mode)
//	max_rows     rows kept in ROWS, default 1000 (query mode)
//	allow_write  true lets query run other statements outside a read-only transaction (query mode);
//	             a statement that returns no rows (UPDATE, DELETE, INSERT, DDL) then sets ROWS_AFFECTED
//	max_size     capacity for tablespace/temp on postgres and mysql: one size ("500GB", binary
//	             units, 1GB = 1024³ bytes) or a map by tablespace/schema name with "*" as default
//	source, target  compare only: {driver, dsn, query}
//
// Every attempt opens one connection (closed afterwards), runs its
// statements inside a read-only transaction (PostgreSQL BEGIN READ ONLY,
// MySQL START TRANSACTION READ ONLY, Oracle SET TRANSACTION READ ONLY),
// and honours the context's deadline while connecting and querying.
// A connection or query failure is Observation.Err; its message names the
// driver and host:port/database but never the DSN, user info or password
// (messages are scrubbed of the DSN, the parsed password and anything
// shaped like credentials).
//
// # Placeholders
//
// Every mode sets CONNECTED (bool) and RESPONSE_TIME (connect + queries).
//
// query: ROWS ([]map[string]any, column names lower-cased, duplicates
// suffixed _2, _3 …; values int64, float64, string, bool, nil for NULL, times as
// RFC 3339 strings, binary as hex unless it is valid UTF-8), ROW_COUNT
// (rows in ROWS), TRUNCATED (true when more than max_rows rows existed;
// the rest is not read, so count with COUNT(*) rather than ROW_COUNT),
// VALUE (first column of the first row, when not NULL). With allow_write,
// ROWS_AFFECTED (int64) is the number of rows an INSERT, UPDATE, DELETE
// (or MERGE, REPLACE, DDL on MySQL/Oracle) changed — rows matched, not only
// those whose values changed, on MySQL as on PostgreSQL. PostgreSQL reads it
// from the command tag (RETURNING rows come too); MySQL and Oracle run a
// statement other than SELECT, WITH, SHOW or … RETURNING for its count,
// with ROWS empty. A write statement reads its result to the end even past
// max_rows, so it always completes. One statement per check, also when
// writing. Statements other
// than SELECT/WITH/SHOW, more than one statement, and queries naming a
// write keyword or side-effect function (INSERT, UPDATE, DELETE, INTO,
// FOR UPDATE, nextval, pg_terminate_backend, dbms_lock …) are refused
// when the runbook is loaded, unless allow_write: true. The read-only
// transaction is the second line of defence (it stops, say, a function
// that writes); grant the monitoring account SELECT only — this guard is
// defence in depth, not a sandbox.
//
// tablespace: TABLESPACES ([]map with name, used (condition.Size), and when a
// capacity is known total (condition.Size), used_pct (float64, 2 decimals),
// allocated (condition.Size, current file size)), MAX_USED_PCT (float64, the
// fullest; absent when no capacity is known, so a condition on it fails
// rather than passing silently). PostgreSQL also sets DATABASES ([]map
// with name and size).
//
//   - Oracle: per permanent/undo tablespace from dba_data_files and
//     dba_free_space; total counts each autoextensible data file at its
//     MAXBYTES; used = allocated − free extents (recycle bin counts as free).
//   - PostgreSQL: pg_tablespace_size for every tablespace and
//     pg_database_size for every database that allows connections. The
//     server cannot know the disk behind a tablespace, so total and
//     used_pct appear only with max_size.
//   - MySQL/MariaDB: per schema, data_length + index_length from
//     information_schema.TABLES (total only with max_size), plus InnoDB
//     tablespaces with a maximum size from information_schema.FILES
//     (MySQL 8; MariaDB leaves FILES empty). MySQL 8 caches TABLES sizes
//     (information_schema_stats_expiry, default 24h): add
//     ?information_schema_stats_expiry=0 to the DSN for live figures.
//
// temp: TEMP_TABLESPACES (same shape as TABLESPACES), TEMP_USED (sum,
// condition.Size), TEMP_TOTAL (sum, when every temp tablespace has a
// capacity), TEMP_USED_PCT (the fullest temp tablespace, when computable;
// also set as MAX_USED_PCT so "[MAX_USED_PCT] < 80" reads the same for
// tablespace and temp), and counters.
//
//   - Oracle: dba_temp_free_space (used = tablespace_size − free_space)
//     with capacity from dba_temp_files (autoextend maxima).
//   - PostgreSQL: temporary files present now, per tablespace
//     (pg_ls_tmpdir; files in TEMP_TABLESPACES[i].files; capacity from
//     max_size), and TEMP_FILES / TEMP_BYTES (int64 / condition.Size) from
//     pg_stat_database for the current database — cumulative since the
//     statistics were last reset, so compare them between runs.
//   - MySQL/MariaDB: TEMP_TABLES, TEMP_DISK_TABLES, TEMP_FILES (int64,
//     cumulative Created_tmp_tables, Created_tmp_disk_tables,
//     Created_tmp_files since the server started), TEMP_DISK_PCT (share of
//     temporary tables that went to disk), and on MySQL 8 the InnoDB
//     temporary tablespace (ibtmp1) from information_schema.FILES.
//
// dbsize: DB_SIZE (condition.Size). Oracle: data files + temp files
// allocated; PostgreSQL: pg_database_size(current_database()); MySQL:
// data + index bytes of the DSN's database (all schemas when it names
// none).
//
// connections: CONNECTIONS, MAX_CONNECTIONS (int64), CONNECTIONS_PCT
// (float64). Oracle: v$resource_limit for 'sessions' (MAX_CONNECTIONS
// absent when UNLIMITED); PostgreSQL: client backends in pg_stat_activity
// against max_connections (superuser_reserved_connections included);
// MySQL: Threads_connected against @@max_connections.
//
// compare: source and target each run one query returning exactly one
// row, concurrently, on their own read-only connections. SOURCE and
// TARGET are that row's values ([]any), MATCH (bool) is true when both
// rows have the same number of columns and every pair is equal after
// normalisation: numbers by value whatever the driver's type (7, 7.0 and
// "7.00" are equal, true is 1), text after trimming surrounding blanks,
// NULL only to NULL. Use it for row counts and checksums when verifying a
// migration; make text checksums comparable in SQL (e.g. lower() around
// Oracle's RAWTOHEX(STANDARD_HASH(…)), which is upper-case).
//
// # Privileges
//
//   - PostgreSQL: pg_tablespace_size, pg_database_size of other
//     databases and pg_ls_tmpdir need the pg_monitor role (GRANT
//     pg_monitor TO monitor;). dbsize and connections work for any user.
//   - MySQL/MariaDB: SELECT on the schemas to measure (TABLES only lists
//     tables the user can see) and PROCESS for information_schema.FILES
//     on MySQL 8; SHOW GLOBAL STATUS needs no grant.
//   - Oracle: CREATE SESSION and SELECT_CATALOG_ROLE (or SELECT ANY
//     DICTIONARY) for dba_data_files, dba_free_space, dba_temp_files,
//     dba_temp_free_space and v$resource_limit. Use such a monitoring
//     account, not SYS (go-ora logs SYS in AS SYSDBA, and SYSDBA
//     sessions are no place for read-only transactions).
//
// Behind PgBouncer in transaction mode add default_query_exec_mode=exec
// to the PostgreSQL DSN (pgx otherwise uses prepared statements). MySQL
// DATETIME values are read in the DSN's loc (UTC unless the DSN says
// loc=Asia%2FShanghai or loc=Local).
//
// The exact SQL of every built-in is pinned in testdata/<driver>_<builtin>.sql
// (golden files; go test -run Golden -update rewrites them).
//
// # Compatible databases
//
// KingbaseES (人大金仓) speaks the PostgreSQL protocol: use driver:
// postgres; custom queries work, and the built-ins work where its
// pg_catalog functions match PostgreSQL's (verify with a query first).
// Dameng (达梦) has Oracle-style dictionary views (dba_data_files,
// dba_free_space …) but its own wire protocol, which go-ora does not
// speak and for which no pure-Go driver is available here; check it
// through an ssh check that runs disql with the Oracle built-in SQL from
// testdata/, or through a PostgreSQL/Oracle-compatible proxy.
package sql
