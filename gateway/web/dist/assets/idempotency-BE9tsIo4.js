function r(){const t=new Uint8Array(16);return crypto.getRandomValues(t),Array.from(t,n=>n.toString(16).padStart(2,"0")).join("")}export{r as n};
