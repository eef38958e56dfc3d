const a = 1;
<p>Let us delve into the tapestry.</p>
