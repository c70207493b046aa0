// Single calls of a no-dispose 1e6 unary op (session 16, req16): median, mean, the calls with a
// request (> median + 90 us) and the calls after them; faults and CPU of the process.
//   [NDGRAD_PACKAGE=dir] [GARB=n: also allocate new Array(n) per call] node session16-req16-calls.js exp
const {nd}=require(process.env.NDGRAD_PACKAGE||'/work/req16');
const op=process.argv[2]||'exp';
const a=nd.random.uniform({low:0.5,high:1.5,shape:[1e6]});
let r; const N=3000; const t=new Float64Array(N);
for(let i=0;i<300;i++) r=a[op]();
const G=+(process.env.GARB||0); let g;
for(let i=0;i<N;i++){const s=process.hrtime.bigint(); r=a[op](); if(G) g=new Array(G).fill(0); t[i]=Number(process.hrtime.bigint()-s)/1e3;}
const med=v=>{v=v.slice().sort((p,q)=>p-q);return v[v.length>>1]};
const all=Array.from(t); const m=med(all);
const reqIdx=[];for(let i=0;i<N;i++) if(t[i]>m+90) reqIdx.push(i);
const req=reqIdx.map(i=>t[i]); const after=reqIdx.filter(i=>i+1<N&&!reqIdx.includes(i+1)).map(i=>t[i+1]);
const after2=reqIdx.filter(i=>i+2<N).map(i=>t[i+2]);
const ru=process.resourceUsage(); console.log(JSON.stringify({faults:ru.minorPageFault,cpu_ms:((ru.userCPUTime+ru.systemCPUTime)/1e3).toFixed(0),sys_ms:(ru.systemCPUTime/1e3).toFixed(0),op,median:m.toFixed(1),mean:(all.reduce((p,q)=>p+q)/N).toFixed(1),nreq:reqIdx.length,req_med:med(req).toFixed(1),after_med:med(after).toFixed(1),after2_med:med(after2).toFixed(1)}));
