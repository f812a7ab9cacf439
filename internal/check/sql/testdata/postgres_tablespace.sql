-- postgres tablespace
SELECT spcname AS ts_name,
       pg_tablespace_size(oid) AS used_bytes
FROM pg_tablespace
ORDER BY spcname;

-- postgres tablespace
SELECT datname AS db_name,
       pg_database_size(oid) AS size_bytes
FROM pg_database
WHERE datallowconn
ORDER BY datname;
