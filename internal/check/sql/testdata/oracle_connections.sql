-- oracle connections
SELECT current_utilization AS connections,
       CASE WHEN TRIM(limit_value) = 'UNLIMITED' THEN NULL ELSE TO_NUMBER(TRIM(limit_value)) END AS max_connections
FROM v$resource_limit
WHERE resource_name = 'sessions';
