-- oracle dbsize
SELECT (SELECT NVL(SUM(bytes), 0) FROM dba_data_files)
     + (SELECT NVL(SUM(bytes), 0) FROM dba_temp_files) AS size_bytes
FROM dual;
