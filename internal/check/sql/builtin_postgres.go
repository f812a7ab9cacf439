package sql

// PostgreSQL built-ins. Column names follow the contract in builtin.go.
var postgresBuiltins = map[string]builtin{
	modeTablespace: {
		queries: []string{
			`SELECT spcname AS ts_name,
       pg_tablespace_size(oid) AS used_bytes
FROM pg_tablespace
ORDER BY spcname`,
			`SELECT datname AS db_name,
       pg_database_size(oid) AS size_bytes
FROM pg_database
WHERE datallowconn
ORDER BY datname`,
		},
		reduce: reduceTablespace,
	},
	modeTemp: {
		queries: []string{
			// Temporary files in use now, per tablespace (pg_global never
			// holds any). pg_ls_tmpdir needs pg_monitor or superuser.
			`SELECT t.spcname AS ts_name,
       COALESCE(SUM(f.size), 0) AS used_bytes,
       COUNT(f.name) AS file_count
FROM pg_tablespace t
LEFT JOIN LATERAL pg_ls_tmpdir(t.oid) AS f ON true
WHERE t.spcname <> 'pg_global'
GROUP BY t.spcname
ORDER BY t.spcname`,
			// Cumulative since the statistics were last reset.
			`SELECT d.temp_files,
       d.temp_bytes,
       current_setting('temp_tablespaces') AS temp_tablespaces
FROM pg_stat_database d
WHERE d.datname = current_database()`,
		},
		reduce: reduceTemp,
	},
	modeDBSize: {
		queries: []string{`SELECT pg_database_size(current_database()) AS size_bytes`},
		reduce:  reduceDBSize,
	},
	modeConnections: {
		queries: []string{
			`SELECT (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend') AS connections,
       current_setting('max_connections')::bigint AS max_connections`,
		},
		reduce: reduceConnections,
	},
}
