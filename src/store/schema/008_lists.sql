-- 008_lists.sql: the resource catalogue (资源单) and the capacity projects take from it.
SELECT 1;
