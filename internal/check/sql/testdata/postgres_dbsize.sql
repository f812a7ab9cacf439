-- postgres dbsize
SELECT pg_database_size(current_database()) AS size_bytes;
