-- mysql connections
SHOW GLOBAL STATUS WHERE Variable_name = 'Threads_connected';

-- mysql connections
SELECT @@max_connections AS max_connections;
