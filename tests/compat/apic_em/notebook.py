# The code cells of the APIC-EM notebook, verbatim and in order
# (shared/seeds/apic-em-async-pathtrace.txt). Its printed output is compared with expected.txt.

# In [6]:
from login import login
import json
apic = login()

# In [13]:
flowTask = apic.flowanalysis.initiateFlowAnalysis(flowAnalysisRequest={"sourceIP": '10.1.15.117',
                                                                           "destIP" : '10.2.1.22',
                                                                           "periodicRefresh" : False})

# In [14]:
print (json.dumps(apic.serialize(flowTask), indent=4))

# In [15]:
# extrace the taskId
taskId = flowTask.response.taskId

# wait_for_task_complete is a utility function that polls APIC-EM until the task is completed.  
# You can provide an optional timeout and polling interval
taskStatus = apic.task_util.wait_for_task_complete(flowTask, timeout=15, poll_frequency=5)

print(json.dumps(apic.serialize(taskStatus), indent=4))

# In [20]:
# this is the id of the pathtrace result that we need to GET.
flowId = taskStatus.progress

# this will get the pathTrace
pathTrace = apic.flowanalysis.getFullFlowAnalysisResult(flowAnalysisId=flowId)

print (json.dumps(apic.serialize(pathTrace.response),indent=4))

# In [22]:
for device in pathTrace.response.networkElementsInfo:
    print("{name}: {ip}\n".format(name=device.name, ip=device.ip))
